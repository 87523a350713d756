# Steering pages and messages.
pil-nav = Pilotage
pil-dashboard = Tableau de bord de pilotage
pil-period = Période du { $from } au { $to }
pil-from = Du
pil-to = Au
pil-all = Tous
pil-contents = Sommaire
pil-institution = Établissement
pil-whole-agency = Toute l'agence
pil-plan-title = Plan d'action
pil-plan-progress = Avancement du plan
pil-weighted-progress = Avancement pondéré
pil-progress-per-unit = Avancement par département ou domaine
pil-units-chart-summary = Le graphique montre l'avancement pondéré de chaque département ou domaine, de 0 à 100 % ; le tableau qui le suit donne les mêmes chiffres.
pil-deliverables = Livrables
pil-deliverable = Livrable
pil-late-deliverables = Livrables en retard
pil-see-all-late =
    { $n ->
        [one] Voir le livrable en retard
       *[other] Voir les { $n } livrables en retard
    }
pil-my-deliverables = Mes livrables en retard ou à risque
pil-all-my-deliverables = Tous mes livrables
pil-key-indicators = Indicateurs clés
pil-all-indicators = Tous les indicateurs, avec leurs graphiques et leurs données
pil-my-institutions = Mes établissements
pil-sla-at-risk = Engagements de service en risque
pil-indicators = Indicateurs
pil-value = Valeur sur la période
pil-formula = Formule : { $formula }
pil-chart-data = Données du graphique « { $name } »
pil-chart-summary = { $name } : { $value } sur la période ({ $days ->
        [one] { $days } jour de données
       *[other] { $days } jours de données
    }).
pil-export-chart-csv = Exporter les données « { $name } » en CSV
pil-export-chart-xlsx = Exporter les données « { $name } » en XLSX
pil-export-csv = Exporter en CSV
pil-export-xlsx = Exporter en XLSX
pil-import = Importer des livrables
pil-import-intro = Un fichier CSV (séparateur ; ou ,) ou XLSX, une ligne par livrable. Si une ligne est fautive, rien n'est importé et chaque ligne fautive est listée.
pil-import-columns = Colonnes :
pil-import-file = Fichier CSV ou XLSX
pil-import-submit = Importer
pil-import-done = Import terminé : { $created } créé(s), { $updated } mis à jour, { $unchanged } inchangé(s).
pil-import-refused =
    { $n ->
        [one] Rien n'a été importé : { $n } erreur dans le fichier.
       *[other] Rien n'a été importé : { $n } erreurs dans le fichier.
    }
pil-import-errors = Lignes refusées
pil-back-to-plan = Retour au plan d'action
pil-col-reference = Référence
pil-col-unit = Département ou domaine
pil-col-objective = Objectif
pil-col-title = Intitulé
pil-col-owner = Responsable
pil-col-product = Produit
pil-col-start = Début
pil-col-due = Échéance
pil-col-status = Statut
pil-col-progress = Avancement
pil-col-weight = Poids
pil-col-health = État
pil-col-delivered = Livré le
pil-col-date = Date
pil-col-author = Auteur·rice
pil-col-kind = Type
pil-col-proof = Preuve
pil-col-line = Ligne
pil-col-field = Colonne
pil-col-error = Erreur
pil-col-day = Jour
pil-col-numerator = Numérateur
pil-col-denominator = Dénominateur
pil-col-value = Valeur
pil-change-status = Changer le statut
pil-change-status-help = Un commentaire est obligatoire pour reporter ou abandonner un livrable ; il est gardé dans l'historique.
pil-new-status = Nouveau statut
pil-progress-percent = Avancement (en %)
pil-comment = Commentaire
pil-comments = Commentaires
pil-add-comment = Ajouter le commentaire
pil-proofs = Preuves
pil-proof-target = Cible
pil-proof-target-hint = L'identifiant du ticket, de l'incident, de la formation, de la campagne ou de la publication ; l'adresse d'un document.
pil-proof-label = Libellé
pil-add-proof = Ajouter la preuve
