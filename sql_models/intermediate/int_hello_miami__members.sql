-- Every profile document a reference can point at, with the profile it resolves to (merged
-- documents follow their primary): the lookup for memberId references.
-- index: mongo_id
select mongo_id, outcome, target_id
from intermediate.int_hello_miami__profiles
