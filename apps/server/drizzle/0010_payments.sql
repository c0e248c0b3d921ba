-- Payments: accounts, attempts, fund vouchers, refunds, callback events, inspections.
SELECT 1;
