-- Deploy shop:reading_quality to pg
-- On the partitioned parent: every partition gets the column and its own index.
BEGIN;
ALTER TABLE public.reading ADD COLUMN quality smallint NOT NULL DEFAULT 0;
CREATE INDEX reading_quality_idx ON public.reading (quality);
COMMIT;
