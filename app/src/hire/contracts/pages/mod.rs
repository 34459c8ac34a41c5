pub mod my_shifts;
