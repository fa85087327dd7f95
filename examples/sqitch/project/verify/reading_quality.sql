-- Verify shop:reading_quality on pg: the column answers, and the index exists (1/0 fails otherwise).
SELECT quality FROM public.reading WHERE false;
SELECT 1 / count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'reading_quality_idx';
