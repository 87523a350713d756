# Interface frame: navigation, login, shared buttons, errors.
app-tagline = La plateforme de la relation adhérents et du support coopératif
skip = Aller au contenu
nav-main = Navigation principale
nav-home = Tableau de bord
nav-institutions = Établissements
nav-my-institution = Mon établissement
nav-contacts = Contacts
nav-products = Produits
nav-deployments = Déploiements
nav-conventions = Conventions
nav-interactions = Interactions
nav-tasks = Tâches
nav-users = Comptes
nav-account = Mon compte
logout = Se déconnecter
login = Se connecter
login-title = Connexion
login-email = Adresse électronique
login-password = Mot de passe
lang-switch = English
lang-switch-label = Read in English
search = Rechercher
filter = Filtrer
all = Tous
save = Enregistrer
cancel = Annuler
edit = Modifier
create = Créer
none = Aucun élément.
previous = Page précédente
next = Page suivante
form-errors = Le formulaire contient des erreurs :
required = obligatoire
history = Historique des modifications
export-csv = Exporter en CSV
dashboard-welcome = Bonjour
dashboard-figures = Chiffres clés
dashboard-tasks = Mes tâches ouvertes
dashboard-renewals = Conventions à renouveler
error-404 = Page introuvable
error-403 = Accès refusé
error-500 = Erreur interne
error-request-id = Référence de la requête
results-count =
    { $n ->
        [one] { $n } résultat
       *[other] { $n } résultats
    }
