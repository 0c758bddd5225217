-- From projects.collaborators, one row per (project, user) after re-pointing.
select target_id as id, project_id, user_id
from intermediate.int_podium__project_collaborators
where outcome = 'migrated'
