//! Applications, invitations and offers.

pub mod model;
