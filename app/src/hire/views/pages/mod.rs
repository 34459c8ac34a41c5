pub mod find_work;
pub mod home;
pub mod org_home;
pub mod org_shift;
pub mod shift;
