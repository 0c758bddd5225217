-- landed live rows that the candidates keep (the same id, or natural key for a table without one)
select count(*) from {landed} as l where exists (select 1 from {candidate} as t where {same})
