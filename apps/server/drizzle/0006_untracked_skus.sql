-- Goods that carry no stock (services, virtual goods) are master SKUs marked untracked: their
-- order lines reserve nothing and never block approval or shipping.
ALTER TABLE "skus" ADD COLUMN "tracked" boolean DEFAULT true NOT NULL;
