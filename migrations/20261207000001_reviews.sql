-- Product reviews by customers who received the product: one per person and product. A review
-- with a link waits for a support admin (pending); the rest publish at once. A rejected one
-- keeps its reason for its author. "Helpful" votes are one per person and review.

CREATE TYPE review_status AS ENUM ('pending', 'published', 'rejected');

CREATE TABLE reviews (
    review_id     uuid PRIMARY KEY,
    product_id    uuid NOT NULL REFERENCES products ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    -- The delivered order that makes the review a verified purchase.
    order_id      uuid NOT NULL REFERENCES orders ON DELETE RESTRICT,
    rating        smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
    body          text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
    status        review_status NOT NULL,
    -- Why it waits for moderation ("it has a link"), when it does.
    held_because  text,
    reject_reason text CHECK (char_length(reject_reason) BETWEEN 1 AND 500),
    helpful       integer NOT NULL DEFAULT 0 CHECK (helpful >= 0),
    created_at    timestamptz NOT NULL,
    moderated_at  timestamptz,
    moderated_by  uuid REFERENCES users ON DELETE SET NULL,
    UNIQUE (product_id, user_id),
    CHECK ((status = 'rejected') = (reject_reason IS NOT NULL))
);
CREATE INDEX reviews_published ON reviews (product_id, created_at DESC) WHERE status = 'published';
CREATE INDEX reviews_by_status ON reviews (status, created_at);
CREATE INDEX reviews_by_user ON reviews (user_id);

CREATE TABLE review_votes (
    review_id uuid NOT NULL REFERENCES reviews ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    voted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (review_id, user_id)
);
CREATE INDEX review_votes_by_user ON review_votes (user_id);

-- A review published, taken down or deleted changes its product's rating in the search index.
CREATE TRIGGER queue_search_update AFTER INSERT OR DELETE OR UPDATE OF status ON reviews
    FOR EACH ROW EXECUTE PROCEDURE queue_search_update();

-- Its author hears how moderation decided.
ALTER TYPE notification_kind ADD VALUE 'review_published';
ALTER TYPE notification_kind ADD VALUE 'review_rejected';
