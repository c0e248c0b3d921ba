-- Channels: connections, sync state, inbox, drift, stock push status.
SELECT 1;
