-- Indexes for each list form of schema.yaml (what `sogoms schema migrate` would create): each role's list in
-- its default order, the includes through a foreign key. See docs/api.md, "Cost of each list form".
CREATE INDEX ix_projects_position_id ON projects (position, id);
CREATE INDEX ix_statuses_user_id_position_id ON statuses (user_id, position, id);
CREATE INDEX ix_statuses_position_id ON statuses (position, id);
CREATE INDEX ix_tags_user_id_position_id ON tags (user_id, position, id);
CREATE INDEX ix_tags_position_id ON tags (position, id);
CREATE INDEX ix_tasks_position_id ON tasks (position, id);
