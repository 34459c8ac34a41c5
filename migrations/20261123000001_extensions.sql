-- Extensions the platform relies on: pgvector for matching, cube + earthdistance for geo radius.
-- IF NOT EXISTS: on a managed database an administrator may have created them already.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
