-- Search (issue 16): the vocabulary of the field as data admins edit
-- (abbreviations, synonyms, product names and their old names; used both
-- when documents are indexed and when queries are read), and the queries
-- that found nothing or only approximate answers, counted per day without
-- any personal data (no account, no institution, digits and addresses
-- masked before storing).
CREATE TABLE search_vocabulary (
    id TEXT PRIMARY KEY,
    term TEXT NOT NULL,
    equivalent TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (term, equivalent)
);

CREATE TABLE search_misses (
    query TEXT NOT NULL,
    outcome TEXT NOT NULL,
    day TEXT NOT NULL,
    times BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (query, outcome, day)
);

INSERT INTO search_vocabulary (id, term, equivalent, kind, created_at) VALUES
('voc-001', 'pj', 'pièces justificatives', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-002', 'pj', 'pièce jointe', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-003', 'bo', 'business objects', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-004', 'dsn', 'déclaration sociale nominative', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-005', 'sft', 'supplément familial de traitement', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-006', 'ia', 'inscription administrative', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-007', 'ip', 'inscription pédagogique', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-008', 'om', 'ordre de mission', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-009', 'aap', 'appel à projets', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-010', 'edt', 'emploi du temps', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-011', 'bdc', 'bon de commande', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-012', 'bc', 'bon de commande', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-013', 'cde', 'commande', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-014', 'sf', 'service fait', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-015', 'duerp', 'document unique', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-016', 'ms', 'masse salariale', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-017', 'ac', 'agent comptable', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-018', 'odf', 'offre de formation', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-019', 'immo', 'immobilisations', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-020', 'preliq', 'préliquidation', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-021', 'peda', 'pédagogique', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-022', 'pedago', 'pédagogique', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-023', 'cvec', 'contribution de vie étudiante et de campus', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-024', 'rib', 'relevé d''identité bancaire', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-025', 'ec', 'enseignant-chercheur', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-026', 'mcf', 'maître de conférences', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-027', 'ater', 'attaché temporaire d''enseignement et de recherche', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-028', 'biatss', 'personnels administratifs techniques', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-029', 'ine', 'identifiant national étudiant', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-030', 'ent', 'environnement numérique de travail', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-031', 'ue', 'unité d''enseignement', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-032', 'ects', 'crédits européens', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-033', 'vae', 'validation des acquis de l''expérience', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-034', 'vap', 'validation des acquis professionnels', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-035', 'dse', 'dossier social étudiant', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-036', 'cesu', 'chèque emploi service universel', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-037', 'gbcp', 'gestion budgétaire et comptable publique', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-038', 'dgfip', 'direction générale des finances publiques', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-039', 'tva', 'taxe sur la valeur ajoutée', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-040', 'ej', 'engagement juridique', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-041', 'dp', 'demande de paiement', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-042', 'rh', 'ressources humaines', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-043', 'cdd', 'contrat à durée déterminée', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-044', 'cdi', 'contrat à durée indéterminée', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-045', 'rgpd', 'règlement général sur la protection des données', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-046', 'mdp', 'mot de passe', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-047', 'bu', 'bibliothèque universitaire', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-048', 'l1', 'première année de licence', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-049', 'bts', 'brevet de technicien supérieur', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-050', 'cpge', 'classe préparatoire', 'abreviation', '2021-01-01T00:00:00Z'),
('voc-051', 'pc-scol', 'pégase', 'produit', '2021-01-01T00:00:00Z'),
('voc-052', 'harpège', 'siham', 'produit', '2021-01-01T00:00:00Z');
