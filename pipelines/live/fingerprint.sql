-- rows and an order-independent checksum of a table's contents (each row's text, hashed, sorted)
select count(*), md5(coalesce(string_agg(h, '' order by h), ''))
  from (select md5(t::text) as h from {table} t) rows
