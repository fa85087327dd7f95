-- shop_migrator runs the migrations. ALTER TABLE and CREATE INDEX on a partitioned table recurse into its
-- partitions, so it owns the parent and every partition; CREATE INDEX needs CREATE on the table's schema too.
-- CREATE on the database lets sqitch create its registry, the schema sqitch, on the first deploy.
ALTER TABLE public.device OWNER TO shop_migrator;
ALTER TABLE public.reading OWNER TO shop_migrator;
ALTER TABLE public.reading_2024_01 OWNER TO shop_migrator;
ALTER TABLE public.reading_2024_02 OWNER TO shop_migrator;
ALTER TABLE public.reading_default OWNER TO shop_migrator;
GRANT CREATE ON SCHEMA public TO shop_migrator;
GRANT CREATE ON DATABASE shop TO shop_migrator;
-- shop_app reads the devices and appends readings.
GRANT SELECT ON public.device TO shop_app;
GRANT SELECT, INSERT ON public.reading TO shop_app;
