-- Demo data. Passwords: admin@koprogo.com / admin123 (superadmin); every other account: demo1234.
INSERT INTO organizations (id, name, slug, contact_email) VALUES
  (1, 'Syndic Les Jardins', 'jardins', 'contact@jardins.test'),
  (2, 'Horizon Gestion', 'horizon', 'contact@horizon.test');
INSERT INTO users (id, organization_id, email, password, first_name, last_name, role) VALUES
  (1, NULL, 'admin@koprogo.com', '$argon2id$v=19$m=19456,t=2,p=1$VRM06rQ9W+QL9mSz+VcRmg$VD8LHbym0Ll76nnatt0Tlj/REXGPyCF5ujMF53ajoiA', 'Super', 'Admin', 'superadmin'),
  (2, 1, 'syndic@jardins.test', '$argon2id$v=19$m=19456,t=2,p=1$tsGsFzUKkz4y8GsoZsCTNQ$6sPs0Q2vCqVJtjXDW5tJX7FQYi0zynyjvzaD3/pn5JI', 'Sophie', 'Martin', 'syndic'),
  (3, 1, 'accountant@jardins.test', '$argon2id$v=19$m=19456,t=2,p=1$tsGsFzUKkz4y8GsoZsCTNQ$6sPs0Q2vCqVJtjXDW5tJX7FQYi0zynyjvzaD3/pn5JI', 'Luc', 'Dubois', 'accountant'),
  (4, 1, 'owner@jardins.test', '$argon2id$v=19$m=19456,t=2,p=1$tsGsFzUKkz4y8GsoZsCTNQ$6sPs0Q2vCqVJtjXDW5tJX7FQYi0zynyjvzaD3/pn5JI', 'Marie', 'Leroy', 'owner'),
  (5, 2, 'syndic@horizon.test', '$argon2id$v=19$m=19456,t=2,p=1$tsGsFzUKkz4y8GsoZsCTNQ$6sPs0Q2vCqVJtjXDW5tJX7FQYi0zynyjvzaD3/pn5JI', 'Paul', 'Bernard', 'syndic');
INSERT INTO buildings (id, organization_id, name, address, city, postal_code, country, total_units) VALUES
  (1, 1, 'Résidence Les Jardins', '123 Rue de la Paix', 'Bruxelles', '1000', 'Belgium', 3),
  (2, 1, 'Le Parc', '8 Avenue Louise', 'Bruxelles', '1050', 'Belgium', 2),
  (3, 2, 'Tour Horizon', '1 Quai des Usines', 'Liège', '4000', 'Belgium', 1);
INSERT INTO owners (id, organization_id, user_id, first_name, last_name, email, phone) VALUES
  (1, 1, 4, 'Marie', 'Leroy', 'owner@jardins.test', '+32 470 00 00 01'),
  (2, 1, NULL, 'Jean', 'Petit', 'jean.petit@example.test', NULL),
  (3, 2, NULL, 'Anne', 'Lambert', 'anne.lambert@example.test', NULL);
INSERT INTO units (id, building_id, owner_id, unit_number, floor, surface, quota) VALUES
  (1, 1, 1, 'A1', 1, 72.5, 350),
  (2, 1, 2, 'A2', 1, 65.0, 320),
  (3, 1, NULL, 'B1', 2, 80.0, 330),
  (4, 2, 2, 'P1', 0, 95.0, 1000),
  (5, 3, 3, 'H1', 5, 110.0, 1000);
INSERT INTO expenses (id, building_id, description, amount, category, expense_date, paid) VALUES
  (1, 1, 'Elevator maintenance', 1250.00, 'maintenance', '2025-01-10', 1),
  (2, 1, 'Common areas cleaning', 480.00, 'cleaning', '2025-02-01', 0),
  (3, 2, 'Roof inspection', 300.00, 'maintenance', '2025-01-20', 0),
  (4, 3, 'Facade painting', 15000.00, 'works', '2025-03-05', 0);
