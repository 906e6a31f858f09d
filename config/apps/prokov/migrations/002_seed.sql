-- Demo data. Passwords: ana@prokov.test / demo1234, ben@prokov.test / demo1234, admin@prokov.test / admin1234
INSERT INTO users (id, email, name, password, role) VALUES
  (1, 'ana@prokov.test', 'Ana', '$argon2id$v=19$m=19456,t=2,p=1$tsGsFzUKkz4y8GsoZsCTNQ$6sPs0Q2vCqVJtjXDW5tJX7FQYi0zynyjvzaD3/pn5JI', 'user'),
  (2, 'ben@prokov.test', 'Ben', '$argon2id$v=19$m=19456,t=2,p=1$tsGsFzUKkz4y8GsoZsCTNQ$6sPs0Q2vCqVJtjXDW5tJX7FQYi0zynyjvzaD3/pn5JI', 'user'),
  (3, 'admin@prokov.test', 'Admin', '$argon2id$v=19$m=19456,t=2,p=1$WXcjimb5d3VD3ZVrI8BrbQ$lYxbbyrWbBYxFw8ptAkIM/djdcRQSHUK3LWeHI2D7s8', 'admin');
INSERT INTO statuses (id, user_id, name, color, position) VALUES
  (1, 1, 'To do', '#9e9e9e', 1), (2, 1, 'Doing', '#2196f3', 2), (3, 1, 'Done', '#4caf50', 3),
  (4, 2, 'Backlog', '#9e9e9e', 1), (5, 2, 'Done', '#4caf50', 2);
INSERT INTO tags (id, user_id, name, color, position) VALUES
  (1, 1, 'urgent', '#f44336', 1), (2, 1, 'client', '#ff9800', 2), (3, 2, 'home', '#3f51b5', 1);
INSERT INTO projects (id, user_id, name, description, position) VALUES
  (1, 1, 'Roof', 'Replace the tiles before winter', 1),
  (2, 1, 'Website', 'New site for the workshop', 2),
  (3, 2, 'Garden', 'Plant the orchard', 1);
INSERT INTO tasks (id, user_id, project_id, status_id, title, description, date_end, done, position) VALUES
  (1, 1, 1, 1, 'Order tiles', 'Ask three suppliers for a quote', '2025-01-15', 0, 1),
  (2, 1, 1, 2, 'Book the scaffolding', NULL, '2025-02-01', 0, 2),
  (3, 1, 2, 3, 'Pick a domain name', NULL, '2024-12-01', 1, 3),
  (4, 2, 3, 4, 'Buy apple trees', 'Five varieties', '2025-03-10', 0, 1);
