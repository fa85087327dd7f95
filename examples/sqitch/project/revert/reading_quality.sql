-- Revert shop:reading_quality from pg
BEGIN;
DROP INDEX public.reading_quality_idx;
ALTER TABLE public.reading DROP COLUMN quality;
COMMIT;
