-- Indexes for each list form of schema.yaml (what `sogoms schema migrate` would create): each role's list in
-- its default order, the includes through a foreign key. See docs/api.md, "Cost of each list form".
CREATE INDEX ix_organizations_name_id ON organizations (name, id);
CREATE INDEX ix_buildings_organization_id_name_id ON buildings (organization_id, name, id);
CREATE INDEX ix_buildings_name_id ON buildings (name, id);
CREATE INDEX ix_owners_organization_id_last_name_first_name_id ON owners (organization_id, last_name, first_name, id);
CREATE INDEX ix_owners_user_id_last_name_first_name_id ON owners (user_id, last_name, first_name, id);
CREATE INDEX ix_owners_last_name_first_name_id ON owners (last_name, first_name, id);
CREATE INDEX ix_units_owner_id_building_id_unit_number_id ON units (owner_id, building_id, unit_number, id);
CREATE INDEX ix_expenses_expense_date_id ON expenses (expense_date, id);
