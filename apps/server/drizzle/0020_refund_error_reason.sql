-- A refund's last failed provider call as a reason code and its parameters ({ providerCode,
-- httpStatus, retryable }), beside the English `last_error`: people read it in their own language.
ALTER TABLE "payment_refunds" ADD COLUMN "last_error_reason" text;
--> statement-breakpoint
ALTER TABLE "payment_refunds" ADD COLUMN "last_error_params" jsonb;
