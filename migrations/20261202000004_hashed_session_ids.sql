-- Sessions are stored under the SHA-256 of their id, and their data without the id, so reading
-- the table gives no cookie that signs anyone in (server/src/session_store.rs). Live sessions
-- move to the new form and stay signed in.
UPDATE tower_sessions.session
SET id = encode(sha256(convert_to(id, 'UTF8')), 'hex'),
    data = convert_to((convert_from(data, 'UTF8')::jsonb - 'id' - 'expiry_date')::text, 'UTF8');
