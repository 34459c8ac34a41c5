-- The Hire face's reference data: cities with coordinates (picked from a list, never geocoded
-- over the network), the skills taxonomy and the certificate types freelancers can hold.

CREATE TABLE cities (
    city_id    text PRIMARY KEY CHECK (city_id ~ '^[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)*$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    country    char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    latitude   double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude  double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    UNIQUE (country, name)
);
-- Radius searches ("within 25 km of Utrecht") go through earthdistance's cube index.
CREATE INDEX cities_earth ON cities USING gist (ll_to_earth(latitude, longitude));

INSERT INTO cities (city_id, name, country, latitude, longitude) VALUES
    ('nl-amsterdam', 'Amsterdam', 'NL', 52.3676, 4.9041),
    ('nl-rotterdam', 'Rotterdam', 'NL', 51.9244, 4.4777),
    ('nl-den-haag', 'Den Haag', 'NL', 52.0705, 4.3007),
    ('nl-utrecht', 'Utrecht', 'NL', 52.0907, 5.1214),
    ('nl-eindhoven', 'Eindhoven', 'NL', 51.4416, 5.4697),
    ('nl-groningen', 'Groningen', 'NL', 53.2194, 6.5665),
    ('nl-tilburg', 'Tilburg', 'NL', 51.5555, 5.0913),
    ('nl-almere', 'Almere', 'NL', 52.3508, 5.2647),
    ('nl-breda', 'Breda', 'NL', 51.5719, 4.7683),
    ('nl-nijmegen', 'Nijmegen', 'NL', 51.8126, 5.8372),
    ('nl-apeldoorn', 'Apeldoorn', 'NL', 52.2112, 5.9699),
    ('nl-haarlem', 'Haarlem', 'NL', 52.3874, 4.6462),
    ('nl-arnhem', 'Arnhem', 'NL', 51.9851, 5.8987),
    ('nl-enschede', 'Enschede', 'NL', 52.2215, 6.8937),
    ('nl-amersfoort', 'Amersfoort', 'NL', 52.1561, 5.3878),
    ('nl-zaandam', 'Zaandam', 'NL', 52.4420, 4.8292),
    ('nl-den-bosch', '''s-Hertogenbosch', 'NL', 51.6978, 5.3037),
    ('nl-zwolle', 'Zwolle', 'NL', 52.5168, 6.0830),
    ('nl-leiden', 'Leiden', 'NL', 52.1601, 4.4970),
    ('nl-maastricht', 'Maastricht', 'NL', 50.8514, 5.6910),
    ('nl-dordrecht', 'Dordrecht', 'NL', 51.8133, 4.6901),
    ('nl-delft', 'Delft', 'NL', 52.0116, 4.3571),
    ('nl-leeuwarden', 'Leeuwarden', 'NL', 53.2012, 5.7999),
    ('nl-alkmaar', 'Alkmaar', 'NL', 52.6324, 4.7534),
    ('nl-deventer', 'Deventer', 'NL', 52.2661, 6.1552),
    ('nl-hilversum', 'Hilversum', 'NL', 52.2292, 5.1669),
    ('nl-venlo', 'Venlo', 'NL', 51.3704, 6.1724),
    ('nl-middelburg', 'Middelburg', 'NL', 51.4988, 3.6136),
    ('nl-assen', 'Assen', 'NL', 52.9925, 6.5649),
    ('nl-lelystad', 'Lelystad', 'NL', 52.5185, 5.4714),
    ('nl-gouda', 'Gouda', 'NL', 52.0115, 4.7104),
    ('nl-helmond', 'Helmond', 'NL', 51.4793, 5.6570),
    ('nl-roermond', 'Roermond', 'NL', 51.1942, 5.9870),
    ('nl-heerlen', 'Heerlen', 'NL', 50.8882, 5.9795),
    ('nl-den-helder', 'Den Helder', 'NL', 52.9563, 4.7601),
    ('be-antwerpen', 'Antwerpen', 'BE', 51.2194, 4.4025),
    ('be-gent', 'Gent', 'BE', 51.0543, 3.7174),
    ('be-brussel', 'Brussel', 'BE', 50.8503, 4.3517),
    ('be-brugge', 'Brugge', 'BE', 51.2093, 3.2247),
    ('be-leuven', 'Leuven', 'BE', 50.8798, 4.7005),
    ('be-mechelen', 'Mechelen', 'BE', 51.0259, 4.4776),
    ('be-hasselt', 'Hasselt', 'BE', 50.9307, 5.3325),
    ('be-liege', 'Liège', 'BE', 50.6326, 5.5797),
    ('de-duesseldorf', 'Düsseldorf', 'DE', 51.2277, 6.7735),
    ('de-koeln', 'Köln', 'DE', 50.9375, 6.9603),
    ('de-aachen', 'Aachen', 'DE', 50.7753, 6.0839),
    ('de-muenster', 'Münster', 'DE', 51.9607, 7.6261);

CREATE TABLE skill_categories (
    category_id text PRIMARY KEY CHECK (category_id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60),
    position    int NOT NULL
);

CREATE TABLE skills (
    skill_id    text PRIMARY KEY CHECK (skill_id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    category_id text NOT NULL REFERENCES skill_categories,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60)
);
CREATE INDEX skills_category ON skills (category_id);

INSERT INTO skill_categories (category_id, name, position) VALUES
    ('hospitality', 'Hospitality', 1),
    ('logistics', 'Logistics', 2),
    ('retail', 'Retail', 3),
    ('events', 'Events', 4),
    ('care', 'Care and cleaning', 5),
    ('office', 'Office and digital', 6);

INSERT INTO skills (skill_id, category_id, name) VALUES
    ('bartending', 'hospitality', 'Bartending'),
    ('barista', 'hospitality', 'Barista'),
    ('waiting-tables', 'hospitality', 'Waiting tables'),
    ('line-cook', 'hospitality', 'Line cook'),
    ('dishwashing', 'hospitality', 'Dishwashing'),
    ('hotel-reception', 'hospitality', 'Hotel reception'),
    ('order-picking', 'logistics', 'Order picking'),
    ('forklift', 'logistics', 'Forklift driving'),
    ('packing', 'logistics', 'Packing'),
    ('inventory-counting', 'logistics', 'Inventory counting'),
    ('delivery-driving', 'logistics', 'Delivery driving'),
    ('cashier', 'retail', 'Cashier'),
    ('shelf-stocking', 'retail', 'Shelf stocking'),
    ('visual-merchandising', 'retail', 'Visual merchandising'),
    ('customer-service', 'retail', 'Customer service'),
    ('event-setup', 'events', 'Event setup'),
    ('stewarding', 'events', 'Stewarding'),
    ('ticketing', 'events', 'Ticketing'),
    ('stage-hand', 'events', 'Stage hand'),
    ('cleaning', 'care', 'Cleaning'),
    ('housekeeping', 'care', 'Housekeeping'),
    ('elderly-care', 'care', 'Elderly care assistance'),
    ('data-entry', 'office', 'Data entry'),
    ('reception', 'office', 'Office reception'),
    ('web-development', 'office', 'Web development'),
    ('graphic-design', 'office', 'Graphic design'),
    ('copywriting', 'office', 'Copywriting'),
    ('bookkeeping', 'office', 'Bookkeeping');

CREATE TABLE certificate_types (
    certificate_type_id text PRIMARY KEY CHECK (certificate_type_id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name                text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    -- Whether a certificate of this type runs out (a forklift licence does, a diploma doesn't).
    expires             boolean NOT NULL
);

INSERT INTO certificate_types (certificate_type_id, name, expires) VALUES
    ('food-hygiene', 'Food hygiene (HACCP)', true),
    ('social-hygiene', 'Social hygiene (alcohol service)', false),
    ('forklift-licence', 'Forklift licence', true),
    ('first-aid', 'First aid (EHBO)', true),
    ('bhv', 'Company emergency response (BHV)', true),
    ('security-guard', 'Security guard (Beveiliger 2)', true),
    ('vca', 'Safety, health and environment (VCA)', true),
    ('drivers-licence-c', 'Driving licence C', true),
    ('care-diploma', 'Care diploma (MBO Zorg)', false);
