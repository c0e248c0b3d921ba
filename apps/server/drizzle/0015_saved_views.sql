-- Saved views of a console list (the order list first): a name and the list's query string, owned by
-- one user and optionally shared with roles; plus each user's default view per page.
CREATE TABLE "saved_views" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL REFERENCES "users"("id"),
	"page" text NOT NULL,
	"name" text NOT NULL,
	"query" text NOT NULL,
	"shared_with" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "saved_views_name_len" CHECK (char_length("name") BETWEEN 1 AND 60),
	CONSTRAINT "saved_views_query_len" CHECK (char_length("query") <= 4000)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "saved_views_owner_page_name_idx" ON "saved_views" ("owner_id","page",lower("name"));
--> statement-breakpoint
CREATE INDEX "saved_views_shared_idx" ON "saved_views" USING gin ("shared_with");
--> statement-breakpoint
CREATE TABLE "saved_view_defaults" (
	"user_id" text NOT NULL REFERENCES "users"("id"),
	"page" text NOT NULL,
	"view_id" text NOT NULL REFERENCES "saved_views"("id") ON DELETE CASCADE,
	"updated_at" timestamp with time zone NOT NULL,
	PRIMARY KEY ("user_id","page")
);
--> statement-breakpoint
CREATE INDEX "saved_view_defaults_view_idx" ON "saved_view_defaults" ("view_id");
