pub mod freelancer;
pub mod profile;
