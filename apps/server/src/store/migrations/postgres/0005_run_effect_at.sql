-- When a run's job made its first outside effect (request written, process spawned, executor
-- called): what a run's lateness is measured to, where started_at says only when Kairos began it.
ALTER TABLE runs ADD COLUMN effect_at BIGINT;
