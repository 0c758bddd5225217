-- rows live now that were not landed (new or edited), rows landed that are not live now (gone or edited);
-- compared as row text, so json columns and duplicates count too
select (select count(*) from (select t::text from {live} t except all select t::text from {landed} t) new_rows),
       (select count(*) from (select t::text from {landed} t except all select t::text from {live} t) gone_rows)
