-- Production's schema and a few rows: a device table and readings range-partitioned by month.
CREATE TABLE public.device (id int PRIMARY KEY, serial text NOT NULL UNIQUE, site text NOT NULL);
INSERT INTO public.device VALUES (1, 'DEV-0001', 'north'), (2, 'DEV-0002', 'south'), (3, 'DEV-0003', 'north');

CREATE TABLE public.reading (device_id int NOT NULL, taken_on date NOT NULL, value numeric(6,1) NOT NULL)
  PARTITION BY RANGE (taken_on);
CREATE TABLE public.reading_2024_01 PARTITION OF public.reading FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TABLE public.reading_2024_02 PARTITION OF public.reading FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
CREATE TABLE public.reading_default PARTITION OF public.reading DEFAULT;
INSERT INTO public.reading VALUES
  (1, '2024-01-03', 12.5), (2, '2024-01-17', 13.0), (3, '2024-01-29', 11.8),
  (1, '2024-02-02', 14.1), (2, '2024-02-20', 12.9),
  (3, '2024-06-01', 15.2);
