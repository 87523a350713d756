//! Static data of the demo, taken from the agency's 2021 action plan
//! (`shared/seed/`): its eight business domains, its products and releases,
//! the institutions it names (Pégase pilots P1/P2 and wave 1…) completed
//! with other plausible members up to 180, the mailing lists of the
//! communities, and name lists for generated contacts. Institutions are a
//! compact text table parsed at load time; their UAI codes are real where
//! known and otherwise generated for the right department with a valid
//! check letter.

pub struct DomainSeed {
    pub code: &'static str,
    pub name: &'static str,
}

pub const DOMAINS: &[DomainSeed] = &[
    DomainSeed {
        code: "fve",
        name: "Formation et vie de l'étudiant",
    },
    DomainSeed {
        code: "recherche",
        name: "Recherche",
    },
    DomainSeed {
        code: "pilotage",
        name: "Pilotage",
    },
    DomainSeed {
        code: "finances",
        name: "Finances",
    },
    DomainSeed {
        code: "achats",
        name: "Achats",
    },
    DomainSeed {
        code: "rh",
        name: "Ressources humaines",
    },
    DomainSeed {
        code: "patrimoine",
        name: "Patrimoine et développement durable",
    },
    DomainSeed {
        code: "projet",
        name: "Gestion de projet et conduite du changement",
    },
];

pub struct ProductSeed {
    pub code: &'static str,
    pub name: &'static str,
    pub domain: &'static str,
    pub stage: &'static str,
    pub description: &'static str,
    pub releases: &'static [(&'static str, &'static str)],
}

pub const PRODUCTS: &[ProductSeed] = &[
    ProductSeed { code: "sifac", name: "Sifac", domain: "finances", stage: "production",
        description: "Système d'information financier analytique et comptable, sur SAP, au cœur de la GBCP.",
        releases: &[("V1R14", "2020-06-15"), ("V1R15", "2021-03-22"), ("V1R16", "2021-10-18")] },
    ProductSeed { code: "demat", name: "Sifac Démat", domain: "finances", stage: "deploiement",
        description: "Dématérialisation des pièces justificatives de la chaîne de la dépense dans Sifac.",
        releases: &[("2.0", "2020-09-01"), ("2.1", "2021-05-10")] },
    ProductSeed { code: "geslab", name: "Geslab", domain: "recherche", stage: "production",
        description: "Gestion financière et administrative des unités de recherche, co-construite avec le CNRS.",
        releases: &[("4.3", "2020-11-02"), ("4.4", "2021-06-14")] },
    ProductSeed { code: "caplab", name: "Caplab", domain: "recherche", stage: "deploiement",
        description: "Pilotage des activités de recherche : appels à projets, contrats, production scientifique.",
        releases: &[("1.6", "2020-12-07"), ("1.7", "2021-07-05")] },
    ProductSeed { code: "dialog", name: "Dialog", domain: "pilotage", stage: "conception",
        description: "Dialogue de gestion entre l'établissement et ses unités, refondu avec le CNRS.",
        releases: &[("3.0", "2021-09-20")] },
    ProductSeed { code: "sinaps", name: "Sinaps", domain: "pilotage", stage: "deploiement",
        description: "Référentiels partagés (structures, personnes, nomenclatures) d'un SI urbanisé.",
        releases: &[("v1.3.01", "2021-04-12"), ("v1.3.02", "2021-10-11")] },
    ProductSeed { code: "sinchro", name: "Sinchro", domain: "pilotage", stage: "production",
        description: "Emplois du temps et réservation de salles, maintenance internalisée par l'Amue depuis 2021.",
        releases: &[("6.2", "2020-08-31"), ("6.3", "2021-08-30")] },
    ProductSeed { code: "apogee", name: "Apogée", domain: "fve", stage: "production",
        description: "Gestion de la scolarité et des inscriptions des étudiants.",
        releases: &[("6.20", "2020-12-14"), ("6.30", "2021-06-28"), ("6.40", "2021-12-13")] },
    ProductSeed { code: "rof", name: "ROF", domain: "fve", stage: "production",
        description: "Référentiel de l'offre de formation.",
        releases: &[("4.1", "2021-02-15")] },
    ProductSeed { code: "conpere", name: "ConPeRe", domain: "fve", stage: "deploiement",
        description: "Contrat pédagogique pour la réussite étudiante.",
        releases: &[("1.2", "2021-01-11"), ("1.3", "2021-09-06")] },
    ProductSeed { code: "pegase", name: "Pégase", domain: "fve", stage: "pilote",
        description: "Nouvelle solution de gestion de la formation et de la vie de l'étudiant (programme PC-Scol).",
        releases: &[("21.0", "2021-01-18"), ("21.1", "2021-06-07"), ("21.2", "2021-11-08")] },
    ProductSeed { code: "fca", name: "FCA Manager", domain: "fve", stage: "production",
        description: "Gestion de la formation continue et de l'alternance.",
        releases: &[("8.5", "2021-03-01"), ("8.6", "2021-09-27")] },
    ProductSeed { code: "harpege", name: "Harpège", domain: "rh", stage: "fin_de_maintenance",
        description: "Gestion des ressources humaines historique, fin de maintenance en 2021.",
        releases: &[("9.5", "2019-06-03")] },
    ProductSeed { code: "siham", name: "Siham", domain: "rh", stage: "production",
        description: "Système d'information RH sur HR Access : gestion administrative et paie.",
        releases: &[("5.3", "2020-10-05"), ("5.4", "2021-04-19"), ("5.5", "2021-10-04")] },
    ProductSeed { code: "siham_pms", name: "Siham PMS", domain: "pilotage", stage: "deploiement",
        description: "Pilotage de la masse salariale adossé à Siham.",
        releases: &[("2.1", "2021-02-01"), ("2.2", "2021-09-13")] },
    ProductSeed { code: "evrp", name: "EvRP", domain: "rh", stage: "production",
        description: "Évaluation des risques professionnels et document unique.",
        releases: &[("3.0", "2020-07-06"), ("3.1", "2021-01-25"), ("3.2", "2021-05-31"), ("3.3", "2021-11-22")] },
    ProductSeed { code: "sipi", name: "SIPI", domain: "patrimoine", stage: "conception",
        description: "Système d'information du patrimoine immobilier, via un accord-cadre.",
        releases: &[("accord-cadre 2021", "2021-10-01")] },
];

/// `acronym|name|kind|region|city|department|students|staff|member since`;
/// kind: u = université, e = école, o = organisme de recherche, a = autre.
/// The plan's named institutions come first.
pub const INSTITUTIONS: &str = "\
Agrocampus Ouest|Institut supérieur des sciences agronomiques, agroalimentaires, horticoles et du paysage|e|Bretagne|Rennes|35|2100|620|1998
INU Champollion|Institut national universitaire Jean-François Champollion|u|Occitanie|Albi|81|5200|380|2004
INSA Lyon|Institut national des sciences appliquées de Lyon|e|Auvergne-Rhône-Alpes|Villeurbanne|69|6200|1450|1994
ENGEES|École nationale du génie de l'eau et de l'environnement de Strasbourg|e|Grand Est|Strasbourg|67|480|140|2001
UTBM|Université de technologie de Belfort-Montbéliard|e|Bourgogne-Franche-Comté|Belfort|90|3100|520|1999
UCA|Université Côte d'Azur|u|Provence-Alpes-Côte d'Azur|Nice|06|33000|3600|1993
Avignon|Avignon Université|u|Provence-Alpes-Côte d'Azur|Avignon|84|7500|750|1993
Nantes|Nantes Université|u|Pays de la Loire|Nantes|44|38000|4200|1993
Unîmes|Université de Nîmes|u|Occitanie|Nîmes|30|4800|330|2007
Paris 8|Université Paris 8 Vincennes-Saint-Denis|u|Île-de-France|Saint-Denis|93|22000|1700|1993
Poitiers|Université de Poitiers|u|Nouvelle-Aquitaine|Poitiers|86|29000|2800|1993
Toulon|Université de Toulon|u|Provence-Alpes-Côte d'Azur|La Garde|83|10000|900|1993
IEP Grenoble|Sciences Po Grenoble|e|Auvergne-Rhône-Alpes|Grenoble|38|2000|160|2000
MNHN|Muséum national d'Histoire naturelle|o|Île-de-France|Paris|75|500|2400|1996
UTT|Université de technologie de Troyes|e|Grand Est|Troyes|10|3100|470|1998
AMU|Aix-Marseille Université|u|Provence-Alpes-Côte d'Azur|Marseille|13|80000|8000|1993
Angers|Université d'Angers|u|Pays de la Loire|Angers|49|25000|2000|1993
Artois|Université d'Artois|u|Hauts-de-France|Arras|62|12000|1000|1993
Bordeaux|Université de Bordeaux|u|Nouvelle-Aquitaine|Bordeaux|33|56000|6000|1993
UBM|Université Bordeaux Montaigne|u|Nouvelle-Aquitaine|Pessac|33|17000|900|1993
uB|Université de Bourgogne|u|Bourgogne-Franche-Comté|Dijon|21|34000|2900|1993
UBO|Université de Bretagne Occidentale|u|Bretagne|Brest|29|23000|2000|1993
UBS|Université Bretagne Sud|u|Bretagne|Lorient|56|9000|800|1995
Caen|Université de Caen Normandie|u|Normandie|Caen|14|30000|2700|1993
UCA Clermont|Université Clermont Auvergne|u|Auvergne-Rhône-Alpes|Clermont-Ferrand|63|37000|3200|1993
Corse|Università di Corsica Pasquale Paoli|u|Corse|Corte|620|4600|500|1993
CY|CY Cergy Paris Université|u|Île-de-France|Cergy|95|26000|1900|1993
UGE|Université Gustave Eiffel|u|Île-de-France|Champs-sur-Marne|77|17000|2400|1993
UGA|Université Grenoble Alpes|u|Auvergne-Rhône-Alpes|Saint-Martin-d'Hères|38|60000|7400|1993
UHA|Université de Haute-Alsace|u|Grand Est|Mulhouse|68|9000|800|1993
ULHN|Université Le Havre Normandie|u|Normandie|Le Havre|76|7000|650|1993
Lille|Université de Lille|u|Hauts-de-France|Lille|59|74000|7000|1993
Limoges|Université de Limoges|u|Nouvelle-Aquitaine|Limoges|87|16000|1500|1993
ULCO|Université du Littoral Côte d'Opale|u|Hauts-de-France|Dunkerque|59|10000|850|1993
Lorraine|Université de Lorraine|u|Grand Est|Nancy|54|60000|7000|1993
Lyon 1|Université Claude Bernard Lyon 1|u|Auvergne-Rhône-Alpes|Villeurbanne|69|47000|4800|1993
Lyon 2|Université Lumière Lyon 2|u|Auvergne-Rhône-Alpes|Lyon|69|28000|1700|1993
Lyon 3|Université Jean Moulin Lyon 3|u|Auvergne-Rhône-Alpes|Lyon|69|30000|1300|1993
UJM|Université Jean Monnet Saint-Étienne|u|Auvergne-Rhône-Alpes|Saint-Étienne|42|20000|1500|1993
Le Mans|Le Mans Université|u|Pays de la Loire|Le Mans|72|12000|1000|1993
La Rochelle|La Rochelle Université|u|Nouvelle-Aquitaine|La Rochelle|17|8000|700|1993
UM|Université de Montpellier|u|Occitanie|Montpellier|34|50000|5000|1993
UPVM|Université Paul-Valéry Montpellier 3|u|Occitanie|Montpellier|34|20000|1100|1993
UPVD|Université de Perpignan Via Domitia|u|Occitanie|Perpignan|66|10000|800|1993
UPPA|Université de Pau et des Pays de l'Adour|u|Nouvelle-Aquitaine|Pau|64|13000|1200|1993
URCA|Université de Reims Champagne-Ardenne|u|Grand Est|Reims|51|28000|2300|1993
Rennes 1|Université de Rennes 1|u|Bretagne|Rennes|35|30000|3600|1993
Rennes 2|Université Rennes 2|u|Bretagne|Rennes|35|21000|1200|1993
Rouen|Université de Rouen Normandie|u|Normandie|Mont-Saint-Aignan|76|30000|2600|1993
USMB|Université Savoie Mont Blanc|u|Auvergne-Rhône-Alpes|Chambéry|73|15000|1200|1993
Unistra|Université de Strasbourg|u|Grand Est|Strasbourg|67|52000|5700|1993
UT1|Université Toulouse 1 Capitole|u|Occitanie|Toulouse|31|21000|1000|1993
UT2J|Université Toulouse - Jean Jaurès|u|Occitanie|Toulouse|31|30000|1600|1993
UT3|Université Toulouse III - Paul Sabatier|u|Occitanie|Toulouse|31|32000|4500|1993
Tours|Université de Tours|u|Centre-Val de Loire|Tours|37|30000|2500|1993
Orléans|Université d'Orléans|u|Centre-Val de Loire|Orléans|45|20000|1600|1993
UFC|Université de Franche-Comté|u|Bourgogne-Franche-Comté|Besançon|25|24000|2300|1993
UPJV|Université de Picardie Jules Verne|u|Hauts-de-France|Amiens|80|30000|2200|1993
UTC|Université de technologie de Compiègne|e|Hauts-de-France|Compiègne|60|4500|900|1995
UPHF|Université Polytechnique Hauts-de-France|u|Hauts-de-France|Valenciennes|59|12000|1100|1993
Paris 1|Université Paris 1 Panthéon-Sorbonne|u|Île-de-France|Paris|75|45000|2600|1993
Paris 2|Université Paris 2 Panthéon-Assas|u|Île-de-France|Paris|75|18000|800|1993
Sorbonne Nouvelle|Université Sorbonne Nouvelle|u|Île-de-France|Paris|75|17000|900|1993
SU|Sorbonne Université|u|Île-de-France|Paris|75|55000|6400|1993
U Paris|Université de Paris|u|Île-de-France|Paris|75|63000|7500|1993
UPN|Université Paris Nanterre|u|Île-de-France|Nanterre|92|33000|2000|1993
UPSaclay|Université Paris-Saclay|u|Île-de-France|Orsay|91|48000|8100|1993
UPEC|Université Paris-Est Créteil|u|Île-de-France|Créteil|94|39000|3000|1993
USPN|Université Sorbonne Paris Nord|u|Île-de-France|Villetaneuse|93|25000|2100|1993
UEVE|Université d'Évry Paris-Saclay|u|Île-de-France|Évry-Courcouronnes|91|11000|900|1993
UVSQ|Université de Versailles Saint-Quentin-en-Yvelines|u|Île-de-France|Versailles|78|19000|1700|1993
Dauphine|Université Paris Dauphine-PSL|u|Île-de-France|Paris|75|10000|900|1993
UNC|Université de la Nouvelle-Calédonie|u|Nouvelle-Calédonie|Nouméa|988|3500|300|2001
UPF|Université de la Polynésie française|u|Polynésie française|Faa'a|987|3500|300|2001
UA|Université des Antilles|u|Guadeloupe|Pointe-à-Pitre|971|11000|1000|1993
UG|Université de Guyane|u|Guyane|Cayenne|973|4000|400|2015
UR|Université de La Réunion|u|La Réunion|Saint-Denis|974|17000|1600|1993
CUFR Mayotte|Centre universitaire de formation et de recherche de Mayotte|u|Mayotte|Dembeni|976|1800|120|2012
INSA Rennes|Institut national des sciences appliquées de Rennes|e|Bretagne|Rennes|35|2000|420|1994
INSA Rouen|INSA Rouen Normandie|e|Normandie|Saint-Étienne-du-Rouvray|76|2000|380|1994
INSA Toulouse|Institut national des sciences appliquées de Toulouse|e|Occitanie|Toulouse|31|3300|700|1994
INSA Strasbourg|Institut national des sciences appliquées de Strasbourg|e|Grand Est|Strasbourg|67|2000|300|1994
INSA CVL|INSA Centre Val de Loire|e|Centre-Val de Loire|Bourges|18|1800|250|2014
INSA HdF|INSA Hauts-de-France|e|Hauts-de-France|Valenciennes|59|1500|200|2019
Centrale Lille|Centrale Lille Institut|e|Hauts-de-France|Villeneuve-d'Ascq|59|1600|300|1995
Centrale Marseille|École centrale de Marseille|e|Provence-Alpes-Côte d'Azur|Marseille|13|1000|200|1995
Centrale Nantes|École centrale de Nantes|e|Pays de la Loire|Nantes|44|2300|500|1995
ECL|École centrale de Lyon|e|Auvergne-Rhône-Alpes|Écully|69|2000|450|1995
ENS Lyon|École normale supérieure de Lyon|e|Auvergne-Rhône-Alpes|Lyon|69|2300|1000|1995
ENS Paris-Saclay|École normale supérieure Paris-Saclay|e|Île-de-France|Gif-sur-Yvette|91|1800|500|1995
ENS Rennes|École normale supérieure de Rennes|e|Bretagne|Bruz|35|450|100|2014
ENS PSL|École normale supérieure (Paris)|e|Île-de-France|Paris|75|2400|1100|1995
Grenoble INP|Grenoble INP - UGA|e|Auvergne-Rhône-Alpes|Grenoble|38|5500|1200|1995
Toulouse INP|Institut national polytechnique de Toulouse|e|Occitanie|Toulouse|31|6600|900|1995
Bordeaux INP|Bordeaux INP|e|Nouvelle-Aquitaine|Talence|33|2500|400|1995
Clermont INP|Clermont Auvergne INP|e|Auvergne-Rhône-Alpes|Aubière|63|1500|250|2021
IEP Lyon|Sciences Po Lyon|e|Auvergne-Rhône-Alpes|Lyon|69|1800|120|2000
IEP Bordeaux|Sciences Po Bordeaux|e|Nouvelle-Aquitaine|Pessac|33|2000|130|2000
IEP Toulouse|Sciences Po Toulouse|e|Occitanie|Toulouse|31|1800|110|2000
IEP Aix|Sciences Po Aix|e|Provence-Alpes-Côte d'Azur|Aix-en-Provence|13|2100|110|2000
IEP Lille|Sciences Po Lille|e|Hauts-de-France|Lille|59|2000|120|2000
IEP Rennes|Sciences Po Rennes|e|Bretagne|Rennes|35|1600|100|2000
IEP Saint-Germain|Sciences Po Saint-Germain-en-Laye|e|Île-de-France|Saint-Germain-en-Laye|78|1300|60|2014
Chartes|École nationale des chartes|e|Île-de-France|Paris|75|200|90|1997
EHESS|École des hautes études en sciences sociales|e|Île-de-France|Paris|75|3000|800|1996
EPHE|École pratique des hautes études|e|Île-de-France|Paris|75|3000|600|1996
INALCO|Institut national des langues et civilisations orientales|e|Île-de-France|Paris|75|8000|500|1996
CdF|Collège de France|o|Île-de-France|Paris|75|0|500|2000
ObsParis|Observatoire de Paris|o|Île-de-France|Paris|75|250|800|1997
IPGP|Institut de physique du globe de Paris|o|Île-de-France|Paris|75|400|500|1998
CNAM|Conservatoire national des arts et métiers|e|Île-de-France|Paris|75|50000|1700|1995
ENSAM|Arts et Métiers|e|Île-de-France|Paris|75|6000|1100|1995
ENPC|École des Ponts ParisTech|e|Île-de-France|Champs-sur-Marne|77|2000|500|2005
Chimie ParisTech|Chimie ParisTech - PSL|e|Île-de-France|Paris|75|400|200|1998
Institut Agro|L'Institut Agro Montpellier|e|Occitanie|Montpellier|34|1800|500|1998
AgroParisTech|AgroParisTech|e|Île-de-France|Paris|75|2400|900|2007
ENSAIT|École nationale supérieure des arts et industries textiles|e|Hauts-de-France|Roubaix|59|300|60|2003
ENVT|École nationale vétérinaire de Toulouse|e|Occitanie|Toulouse|31|700|300|2004
VetAgro Sup|VetAgro Sup|e|Auvergne-Rhône-Alpes|Marcy-l'Étoile|69|1300|400|2010
Oniris|Oniris Nantes|e|Pays de la Loire|Nantes|44|1400|500|2010
SIGMA Clermont|SIGMA Clermont|e|Auvergne-Rhône-Alpes|Aubière|63|800|150|2016
ENSMM|École nationale supérieure de mécanique et des microtechniques|e|Bourgogne-Franche-Comté|Besançon|25|800|150|1999
ENIB|École nationale d'ingénieurs de Brest|e|Bretagne|Plouzané|29|900|130|2000
ENIT|École nationale d'ingénieurs de Tarbes|e|Occitanie|Tarbes|65|1200|180|2000
ENSCR|École nationale supérieure de chimie de Rennes|e|Bretagne|Rennes|35|400|120|1999
ENSICAEN|École nationale supérieure d'ingénieurs de Caen|e|Normandie|Caen|14|1100|300|2002
ENSLL|École nationale supérieure Louis-Lumière|e|Île-de-France|Saint-Denis|93|200|60|2012
ENSSIB|École nationale supérieure des sciences de l'information et des bibliothèques|e|Auvergne-Rhône-Alpes|Villeurbanne|69|400|110|1999
ISAE-ENSMA|ISAE-ENSMA|e|Nouvelle-Aquitaine|Chasseneuil-du-Poitou|86|700|200|1999
ENSEA|École nationale supérieure de l'électronique et de ses applications|e|Île-de-France|Cergy|95|800|120|2000
ENSCM|École nationale supérieure de chimie de Montpellier|e|Occitanie|Montpellier|34|400|100|1999
ENSNP|École nationale supérieure de la nature et du paysage|e|Centre-Val de Loire|Blois|41|250|50|2006
EHESP|École des hautes études en santé publique|e|Bretagne|Rennes|35|1500|400|2008
ENISE|École nationale d'ingénieurs de Saint-Étienne|e|Auvergne-Rhône-Alpes|Saint-Étienne|42|1100|150|2000
Bordeaux Sciences Agro|Bordeaux Sciences Agro|e|Nouvelle-Aquitaine|Gradignan|33|700|150|2005
ENVA|École nationale vétérinaire d'Alfort|e|Île-de-France|Maisons-Alfort|94|800|400|2005
ENSM|École nationale supérieure maritime|e|Normandie|Le Havre|76|1200|200|2012
ENAC|École nationale de l'aviation civile|e|Occitanie|Toulouse|31|2000|800|2010
ISAE-SUPAERO|ISAE-SUPAERO|e|Occitanie|Toulouse|31|1700|600|2010
ENSIIE|École nationale supérieure d'informatique pour l'industrie et l'entreprise|e|Île-de-France|Évry-Courcouronnes|91|700|80|2006
ENSTA Bretagne|ENSTA Bretagne|e|Bretagne|Brest|29|1000|250|2012
AgroSup Dijon|AgroSup Dijon|e|Bourgogne-Franche-Comté|Dijon|21|1000|300|2009
ENIM|École nationale d'ingénieurs de Metz|e|Grand Est|Metz|57|1100|150|2000
OCA|Observatoire de la Côte d'Azur|o|Provence-Alpes-Côte d'Azur|Nice|06|0|450|1998
IRD|Institut de recherche pour le développement|o|Provence-Alpes-Côte d'Azur|Marseille|13|0|2000|2005
INED|Institut national d'études démographiques|o|Île-de-France|Aubervilliers|93|0|250|2006
EFEO|École française d'Extrême-Orient|o|Île-de-France|Paris|75|0|100|2008
INHA|Institut national d'histoire de l'art|a|Île-de-France|Paris|75|0|200|2003
BNU|Bibliothèque nationale et universitaire de Strasbourg|a|Grand Est|Strasbourg|67|0|180|2004
INSEP|Institut national du sport, de l'expertise et de la performance|a|Île-de-France|Paris|75|800|500|2010
Louvre|École du Louvre|e|Île-de-France|Paris|75|1800|90|2009
INP Patrimoine|Institut national du patrimoine|e|Île-de-France|Paris|75|150|70|2011
ENSAD|École nationale supérieure des Arts Décoratifs|e|Île-de-France|Paris|75|750|250|2012
CNSMDP|Conservatoire national supérieur de musique et de danse de Paris|e|Île-de-France|Paris|75|1300|400|2013
ABES|Agence bibliographique de l'enseignement supérieur|a|Occitanie|Montpellier|34|0|80|1996
CINES|Centre informatique national de l'enseignement supérieur|a|Occitanie|Montpellier|34|0|60|1999
Renater|GIP Renater|a|Île-de-France|Paris|75|0|80|2005
Chancellerie Paris|Chancellerie des universités de Paris|a|Île-de-France|Paris|75|0|300|1994
CIUP|Cité internationale universitaire de Paris|a|Île-de-France|Paris|75|0|350|2011
UBFC|COMUE Université Bourgogne - Franche-Comté|a|Bourgogne-Franche-Comté|Besançon|25|0|120|2015
Normandie Université|COMUE Normandie Université|a|Normandie|Caen|14|0|60|2015
UdL|COMUE Université de Lyon|a|Auvergne-Rhône-Alpes|Lyon|69|0|250|2015
UPE|COMUE Université Paris-Est|a|Île-de-France|Champs-sur-Marne|77|0|60|2015
UPL|COMUE Université Paris Lumières|a|Île-de-France|Saint-Denis|93|0|40|2015
UCLdV|COMUE Université Confédérale Léonard de Vinci|a|Nouvelle-Aquitaine|Poitiers|86|0|30|2015
UFTMiP|COMUE Université fédérale de Toulouse Midi-Pyrénées|a|Occitanie|Toulouse|31|0|200|2015
LRU|COMUE Languedoc-Roussillon Universités|a|Occitanie|Montpellier|34|0|30|2015
Paris Sciences et Lettres|Université PSL|u|Île-de-France|Paris|75|17000|2800|2019
IEP Paris|Sciences Po|e|Île-de-France|Paris|75|14000|1400|2000
INSP Lyon|Institut national supérieur du professorat de Lyon|a|Auvergne-Rhône-Alpes|Lyon|69|3000|200|2013
ENSTBB|École nationale supérieure de technologie des biomolécules de Bordeaux|e|Nouvelle-Aquitaine|Bordeaux|33|150|30|2009
ENSAT|École nationale supérieure agronomique de Toulouse|e|Occitanie|Auzeville-Tolosane|31|800|150|2006
ENSC Bordeaux|École nationale supérieure de cognitique|e|Nouvelle-Aquitaine|Talence|33|250|40|2010
ENSIL|École nationale supérieure d'ingénieurs de Limoges|e|Nouvelle-Aquitaine|Limoges|87|700|100|2003
ENSI Poitiers|École nationale supérieure d'ingénieurs de Poitiers|e|Nouvelle-Aquitaine|Poitiers|86|600|90|2003
Polytech Nice|Polytech Nice Sophia|e|Provence-Alpes-Côte d'Azur|Biot|06|1300|150|2006
IFSTTAR|Institut français des sciences et technologies des transports|o|Île-de-France|Champs-sur-Marne|77|0|1100|2011
INRAE|Institut national de recherche pour l'agriculture, l'alimentation et l'environnement|o|Île-de-France|Paris|75|0|12000|2020
Inserm|Institut national de la santé et de la recherche médicale|o|Île-de-France|Paris|75|0|15000|2010
Campus Condorcet|Établissement public Campus Condorcet|a|Île-de-France|Aubervilliers|93|0|60|2017
";

/// Real UAI codes of a few institutions; the others are generated.
pub const KNOWN_UAI: &[(&str, &str)] = &[
    ("INSA Lyon", "0690192J"),
    ("Paris 1", "0751717J"),
    ("Unistra", "0673021V"),
    ("UR", "9740478B"),
];

pub const FIRST_NAMES: &[&str] = &[
    "Camille",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Sophie",
    "Valérie",
    "Christine",
    "Sandrine",
    "Céline",
    "Aurélie",
    "Émilie",
    "Julie",
    "Claire",
    "Anne",
    "Marie",
    "Hélène",
    "Laurence",
    "Véronique",
    "Caroline",
    "Stéphanie",
    "Virginie",
    "Élodie",
    "Manon",
    "Léa",
    "Chloé",
    "Pauline",
    "Agnès",
    "Florence",
    "Martine",
    "Brigitte",
    "Corinne",
    "Patricia",
    "Delphine",
    "Karine",
    "Audrey",
    "Mathilde",
    "Inès",
    "Amandine",
    "Solène",
    "Philippe",
    "Thierry",
    "Laurent",
    "Nicolas",
    "Christophe",
    "Stéphane",
    "Frédéric",
    "Olivier",
    "David",
    "Éric",
    "Pierre",
    "Jean",
    "Michel",
    "Patrick",
    "Sébastien",
    "Julien",
    "Vincent",
    "François",
    "Jérôme",
    "Arnaud",
    "Guillaume",
    "Mathieu",
    "Thomas",
    "Antoine",
    "Benoît",
    "Cédric",
    "Damien",
    "Emmanuel",
    "Fabrice",
    "Grégoire",
    "Hervé",
    "Hugo",
    "Lucas",
    "Maxime",
    "Romain",
    "Xavier",
    "Yann",
    "Bruno",
    "Denis",
    "Gilles",
];

pub const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèbvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
    "Lecomte",
    "Lopez",
    "Jean",
    "Dupuy",
    "Guillot",
    "Hubert",
    "Berger",
    "Carpentier",
    "Sanchez",
    "Dupuis",
    "Moulin",
    "Louis",
    "Deschamps",
    "Huet",
    "Vasseur",
    "Perez",
    "Boucher",
    "Fleury",
    "Royer",
    "Klein",
    "Jacquet",
    "Adam",
    "Paris",
    "Poirier",
    "Marty",
    "Aubry",
    "Guyot",
    "Carré",
    "Charles",
    "Renault",
];

/// Functions every member institution has a contact for, then the others.
pub const GOVERNANCE_FUNCTIONS: &[&str] = &["dgs", "daf", "drh", "dsi"];
pub const OTHER_FUNCTIONS: &[&str] = &[
    "da",
    "dpi",
    "daj",
    "agent_comptable",
    "vp_numerique",
    "president",
    "chef_projet",
    "gestionnaire",
    "gestionnaire",
    "chef_projet",
];

/// (kind, name): the components generated for a university; `{n}` becomes
/// a unit number.
pub const COMPONENT_TEMPLATES: &[(&str, &str)] = &[
    ("ufr", "UFR Sciences et techniques"),
    ("ufr", "UFR Lettres, langues et sciences humaines"),
    ("ufr", "UFR Droit, économie et gestion"),
    ("faculte", "Faculté de médecine"),
    ("institut", "Institut universitaire de technologie (IUT)"),
    (
        "institut",
        "Institut d'administration des entreprises (IAE)",
    ),
    ("ecole_interne", "École d'ingénieurs Polytech"),
    ("umr", "UMR {n} Laboratoire de chimie et physique"),
    ("umr", "UMR {n} Laboratoire d'informatique"),
    (
        "laboratoire",
        "Laboratoire de recherche en sciences de l'éducation",
    ),
    ("service", "Direction des systèmes d'information"),
    ("service", "Direction des affaires financières"),
];

/// (domain, address, name): the domains' mailing lists, as the plan lists them.
pub const MAILING_LISTS: &[(&str, &str, &str)] = &[
    ("fve", "deve@listes.amue.fr", "Développement des études"),
    ("fve", "vie_etudiante@listes.amue.fr", "Vie étudiante"),
    ("recherche", "hrs4r@listes.amue.fr", "HRS4R"),
    (
        "pilotage",
        "pms@listes.amue.fr",
        "Pilotage de la masse salariale",
    ),
    ("finances", "finances@listes.amue.fr", "Finances"),
    ("rh", "coordopaie@listes.amue.fr", "Coordination paie"),
    (
        "rh",
        "correspondant.handicap@listes.amue.fr",
        "Correspondants handicap",
    ),
    ("rh", "developpement_rh@listes.amue.fr", "Développement RH"),
    ("rh", "grh.biatss@listes.amue.fr", "GRH BIATSS"),
    ("rh", "grh.contractuels@listes.amue.fr", "GRH contractuels"),
    ("rh", "grh.enseignants@listes.amue.fr", "GRH enseignants"),
];

/// One parsed line of [`INSTITUTIONS`].
#[derive(Debug, Clone)]
pub struct InstitutionSeed {
    pub acronym: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub region: &'static str,
    pub city: &'static str,
    pub department: &'static str,
    pub students: i64,
    pub staff: i64,
    pub member_since: i64,
}

impl InstitutionSeed {
    pub fn calendar(&self) -> &'static str {
        match self.department {
            "57" | "67" | "68" => "alsace_moselle",
            d if d.len() == 3 && d.starts_with('9') => "outre_mer",
            _ => "metropole",
        }
    }
}

pub fn institutions() -> Vec<InstitutionSeed> {
    INSTITUTIONS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&'static str> = l.split('|').collect();
            let num = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
            InstitutionSeed {
                acronym: f[0],
                name: f[1],
                kind: match f[2] {
                    "u" => "universite",
                    "e" => "ecole",
                    "o" => "organisme_recherche",
                    _ => "autre",
                },
                region: f[3],
                city: f[4],
                department: f[5],
                students: num(f[6]),
                staff: num(f[7]),
                member_since: num(f[8]),
            }
        })
        .collect()
}

/// The UAI of the institution at `index`: the real one when known, else
/// department + a number unique in the list + the check letter.
pub fn uai_of(index: usize, inst: &InstitutionSeed) -> String {
    if let Some((_, u)) = KNOWN_UAI.iter().find(|(a, _)| *a == inst.acronym) {
        return (*u).to_string();
    }
    let dept = format!("{:0>3}", inst.department);
    let digits = format!("{dept}{:04}", 1100 + index * 37 % 8900);
    let letter = relais_domain::crm::uai_check_letter(&digits).unwrap_or('A');
    format!("{digits}{letter}")
}

/// Deployments: (product, acronym, status, wave, hosting, version, start).
pub struct DeploymentSeed {
    pub product: &'static str,
    pub institution: &'static str,
    pub status: &'static str,
    pub wave: Option<i64>,
    pub hosting: &'static str,
    pub version: Option<&'static str>,
    pub start: String,
}

pub const PEGASE_P1: &[&str] = &[
    "Agrocampus Ouest",
    "INU Champollion",
    "INSA Lyon",
    "ENGEES",
    "UTBM",
    "UCA",
];
pub const PEGASE_P2: &[&str] = &[
    "Avignon", "Nantes", "Unîmes", "Paris 8", "Poitiers", "Toulon",
];
pub const PEGASE_WAVE1: &[&str] = &["IEP Grenoble", "MNHN", "UTT"];

/// Deployments consistent with the plan's figures: Siham 53 institutions
/// at the end of 2021 (39 in production + the last wave of 14), EvRP 27 in
/// production + 2 new, Sinaps + 3 in 2021, the Pégase pilots and wave 1;
/// other products at plausible shares of the members. Deterministic.
pub fn deployments(insts: &[InstitutionSeed]) -> Vec<DeploymentSeed> {
    let mut out = Vec::new();
    let latest = |code: &str| {
        PRODUCTS
            .iter()
            .find(|p| p.code == code)
            .and_then(|p| p.releases.last().map(|r| r.0))
    };
    let first = |code: &str| {
        PRODUCTS
            .iter()
            .find(|p| p.code == code)
            .and_then(|p| p.releases.first().map(|r| r.0))
    };
    #[allow(clippy::too_many_arguments)]
    fn push(
        out: &mut Vec<DeploymentSeed>,
        product: &'static str,
        inst: &'static str,
        status: &'static str,
        wave: Option<i64>,
        hosting: &'static str,
        version: Option<&'static str>,
        year: i64,
        month: u32,
    ) {
        out.push(DeploymentSeed {
            product,
            institution: inst,
            status,
            wave,
            hosting,
            version,
            start: format!("{year}-{month:02}-01"),
        });
    }
    for a in PEGASE_P1 {
        push(
            &mut out,
            "pegase",
            a,
            "pilote_p1",
            None,
            "co_administre",
            latest("pegase"),
            2020,
            9,
        );
    }
    for a in PEGASE_P2 {
        push(
            &mut out,
            "pegase",
            a,
            "pilote_p2",
            None,
            "co_administre",
            latest("pegase"),
            2021,
            9,
        );
    }
    for a in PEGASE_WAVE1 {
        push(
            &mut out,
            "pegase",
            a,
            "vague",
            Some(1),
            "saas",
            first("pegase"),
            2021,
            9,
        );
    }
    let univ: Vec<&InstitutionSeed> = insts.iter().filter(|i| i.kind == "universite").collect();
    let teaching: Vec<&InstitutionSeed> = insts
        .iter()
        .filter(|i| (i.kind == "universite" || i.kind == "ecole") && i.students > 0)
        .collect();
    // Siham: 39 in production, then the last wave of 14 in 2021.
    let candidates = teaching
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 2 == 0 || *n < 20);
    for (siham, (n, i)) in candidates.enumerate().take(53) {
        let (status, wave, year) = if siham < 39 {
            ("production", None, 2012 + (n as i64 % 9))
        } else {
            ("vague", Some(6), 2021)
        };
        push(
            &mut out,
            "siham",
            i.acronym,
            status,
            wave,
            if n % 5 == 0 { "saas" } else { "sur_site" },
            if status == "production" {
                latest("siham")
            } else {
                None
            },
            year,
            1,
        );
    }
    // Harpège: the members not (yet) on Siham, some already withdrawn.
    let on_siham: Vec<&str> = out
        .iter()
        .filter(|d| d.product == "siham")
        .map(|d| d.institution)
        .collect();
    for (n, i) in teaching.iter().enumerate() {
        if on_siham.contains(&i.acronym) {
            if n % 3 == 0 {
                push(
                    &mut out,
                    "harpege",
                    i.acronym,
                    "retire",
                    None,
                    "sur_site",
                    first("harpege"),
                    2004,
                    1,
                );
            }
        } else if n % 2 == 1 {
            push(
                &mut out,
                "harpege",
                i.acronym,
                "production",
                None,
                "sur_site",
                first("harpege"),
                2003 + (n as i64 % 8),
                1,
            );
        }
    }
    // EvRP: 27 in production, 2 newcomers in 2021.
    for (n, i) in insts.iter().filter(|i| i.staff >= 300).enumerate().take(29) {
        let (status, wave) = if n < 27 {
            ("production", None)
        } else {
            ("vague", Some(1))
        };
        push(
            &mut out,
            "evrp",
            i.acronym,
            status,
            wave,
            "saas",
            latest("evrp"),
            2016 + (n as i64 % 5),
            3,
        );
    }
    // Sifac: nearly every university and many schools.
    for (n, i) in teaching.iter().enumerate() {
        if i.kind == "universite" || n % 3 != 0 {
            push(
                &mut out,
                "sifac",
                i.acronym,
                "production",
                None,
                if n % 7 == 0 { "saas" } else { "sur_site" },
                latest("sifac"),
                2009 + (n as i64 % 6),
                1,
            );
        }
    }
    // Sifac Démat: its last wave.
    for (n, i) in univ.iter().enumerate().filter(|(n, _)| n % 3 == 1) {
        let status = if n % 2 == 0 { "production" } else { "vague" };
        push(
            &mut out,
            "demat",
            i.acronym,
            status,
            (status == "vague").then_some(3),
            "sur_site",
            latest("demat"),
            2019 + (n as i64 % 3),
            6,
        );
    }
    // Apogée: universities, replaced by Pégase at the pilots in time.
    for (n, i) in univ.iter().enumerate() {
        push(
            &mut out,
            "apogee",
            i.acronym,
            "production",
            None,
            "sur_site",
            latest("apogee"),
            1998 + (n as i64 % 10),
            9,
        );
    }
    for (n, i) in univ.iter().enumerate().filter(|(n, _)| n % 2 == 0) {
        push(
            &mut out,
            "rof",
            i.acronym,
            "production",
            None,
            "sur_site",
            latest("rof"),
            2012 + (n as i64 % 5),
            1,
        );
    }
    for (n, i) in univ.iter().enumerate().filter(|(n, _)| n % 5 == 1) {
        push(
            &mut out,
            "conpere",
            i.acronym,
            "production",
            None,
            "saas",
            latest("conpere"),
            2020,
            9 + (n as u32 % 3),
        );
    }
    for (n, i) in teaching.iter().enumerate().filter(|(n, _)| n % 3 == 2) {
        push(
            &mut out,
            "fca",
            i.acronym,
            "production",
            None,
            "sur_site",
            latest("fca"),
            2010 + (n as i64 % 9),
            1,
        );
    }
    // Sinaps: 12 in production, + 3 institutions in 2021.
    for (n, i) in univ.iter().enumerate().filter(|(n, _)| n % 4 == 3).take(15) {
        let (status, wave, v) = if n < 48 {
            ("production", None, Some("v1.3.02"))
        } else {
            ("vague", Some(1), Some("v1.3.01"))
        };
        push(
            &mut out,
            "sinaps",
            i.acronym,
            status,
            wave,
            "sur_site",
            v,
            2018 + (n as i64 % 3),
            4,
        );
    }
    for (n, i) in teaching.iter().enumerate().filter(|(n, _)| n % 4 == 0) {
        push(
            &mut out,
            "geslab",
            i.acronym,
            "production",
            None,
            "sur_site",
            latest("geslab"),
            2008 + (n as i64 % 10),
            1,
        );
    }
    for (n, i) in univ.iter().enumerate().filter(|(n, _)| n % 6 == 2) {
        push(
            &mut out,
            "caplab",
            i.acronym,
            if n % 4 == 0 { "production" } else { "candidat" },
            None,
            "saas",
            latest("caplab"),
            2021,
            1,
        );
    }
    for (n, i) in univ.iter().enumerate().filter(|(n, _)| n % 4 == 1) {
        push(
            &mut out,
            "siham_pms",
            i.acronym,
            "production",
            None,
            "sur_site",
            latest("siham_pms"),
            2019 + (n as i64 % 3),
            1,
        );
    }
    for (n, i) in teaching.iter().enumerate().filter(|(n, _)| n % 5 == 3) {
        push(
            &mut out,
            "sinchro",
            i.acronym,
            "production",
            None,
            "sur_site",
            latest("sinchro"),
            2011 + (n as i64 % 8),
            9,
        );
    }
    for i in univ.iter().skip(3).step_by(9) {
        push(
            &mut out,
            "dialog",
            i.acronym,
            "pilote_p1",
            None,
            "saas",
            latest("dialog"),
            2021,
            10,
        );
    }
    // A Sinaps record cannot carry the same pair twice: keep the first.
    let mut seen = std::collections::HashSet::new();
    out.retain(|d| seen.insert((d.product, d.institution)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_figures_hold() {
        let insts = institutions();
        assert_eq!(insts.len(), 180);
        let mut acr = std::collections::HashSet::new();
        let mut uais = std::collections::HashSet::new();
        for (i, inst) in insts.iter().enumerate() {
            assert!(
                acr.insert(inst.acronym),
                "duplicate acronym {}",
                inst.acronym
            );
            let u = uai_of(i, inst);
            assert!(relais_domain::crm::validate_uai(&u).is_ok(), "{u}");
            assert!(uais.insert(u.clone()), "duplicate uai {u}");
        }
        assert_eq!(DOMAINS.len(), 8);
        let d = deployments(&insts);
        let count = |p: &str, s: &str| d.iter().filter(|x| x.product == p && x.status == s).count();
        assert_eq!(
            d.iter()
                .filter(|x| x.product == "siham" && x.status != "retire")
                .count(),
            53
        );
        assert_eq!(count("evrp", "production"), 27);
        assert_eq!(count("evrp", "vague"), 2);
        assert_eq!(count("pegase", "pilote_p1"), 6);
        assert_eq!(count("pegase", "pilote_p2"), 6);
        assert_eq!(count("pegase", "vague"), 3);
        assert_eq!(count("sinaps", "vague"), 3);
        for x in &d {
            assert!(acr.contains(x.institution), "{}", x.institution);
            let p = PRODUCTS
                .iter()
                .find(|p| p.code == x.product)
                .expect("product");
            if let Some(v) = x.version {
                assert!(p.releases.iter().any(|r| r.0 == v), "{} {v}", x.product);
            }
        }
    }
}
