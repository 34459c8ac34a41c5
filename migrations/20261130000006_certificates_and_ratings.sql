-- Freelancers' certificates, checked by an admin before they count, the certificates a shift
-- requires, and the ratings both sides give after a completed contract.

CREATE TYPE certificate_status AS ENUM ('pending', 'verified', 'rejected');

-- A certificate as uploaded: the document itself (a scan or PDF, a few megabytes at most) is
-- personal data seen only by its owner and the admins who verify it, so it lives here rather
-- than in the public image store, and goes with the account.
CREATE TABLE freelancer_certificates (
    certificate_id      uuid PRIMARY KEY,
    user_id             uuid NOT NULL REFERENCES freelancer_profiles ON DELETE CASCADE,
    certificate_type_id text NOT NULL REFERENCES certificate_types,
    -- The file name as the freelancer's device gave it, for the admin's reference.
    file_name           text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type        text NOT NULL
                        CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    document            bytea NOT NULL CHECK (octet_length(document) BETWEEN 1 AND 5242880),
    -- Required for types that expire (checked by the service, which knows the type); the
    -- admin may correct it when verifying.
    expires_on          date,
    status              certificate_status NOT NULL DEFAULT 'pending',
    rejection_reason    text CHECK (length(rejection_reason) BETWEEN 1 AND 500),
    reviewed_by         uuid REFERENCES users ON DELETE SET NULL,
    reviewed_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
    CHECK ((status = 'pending') = (reviewed_at IS NULL))
);
SELECT manage_updated_at('freelancer_certificates');
-- One upload of a type waits for review at a time.
CREATE UNIQUE INDEX freelancer_certificates_one_pending
    ON freelancer_certificates (user_id, certificate_type_id) WHERE status = 'pending';
CREATE INDEX freelancer_certificates_queue
    ON freelancer_certificates (created_at) WHERE status = 'pending';
CREATE INDEX freelancer_certificates_valid
    ON freelancer_certificates (user_id, certificate_type_id, expires_on) WHERE status = 'verified';

-- Certificates a shift requires: applicants must hold each, verified and valid on the day.
CREATE TABLE posting_certificates (
    posting_id          uuid NOT NULL REFERENCES postings ON DELETE CASCADE,
    certificate_type_id text NOT NULL REFERENCES certificate_types,
    PRIMARY KEY (posting_id, certificate_type_id)
);

CREATE TYPE hire_side AS ENUM ('organisation', 'freelancer');

-- After a completed contract each side rates the other once: `by_side` says who gave it.
CREATE TABLE contract_ratings (
    contract_id uuid NOT NULL REFERENCES contracts ON DELETE CASCADE,
    by_side     hire_side NOT NULL,
    stars       smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    rated_by    uuid REFERENCES users ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contract_id, by_side)
);
