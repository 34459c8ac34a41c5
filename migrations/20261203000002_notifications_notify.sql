-- Every node learns of new notifications at once: a statement that writes any wakes the
-- listeners with one NOTIFY, delivered when its transaction commits. The payload is empty;
-- each node then reads by transaction horizon (`notifications.xid`), so nothing is missed
-- whatever order transactions commit in.
CREATE FUNCTION notifications_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('notifications', '');
    RETURN NULL;
END $$;

CREATE TRIGGER notifications_written AFTER INSERT ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_written();
