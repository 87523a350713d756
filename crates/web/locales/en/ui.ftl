# Interface frame: navigation, login, shared buttons, errors.
app-tagline = Member relations and cooperative support platform
skip = Skip to content
nav-main = Main navigation
nav-home = Dashboard
nav-institutions = Institutions
nav-my-institution = My institution
nav-contacts = Contacts
nav-products = Products
nav-deployments = Deployments
nav-conventions = Agreements
nav-interactions = Interactions
nav-tasks = Tasks
nav-users = Accounts
nav-account = My account
logout = Log out
login = Log in
login-title = Log in
login-email = E-mail address
login-password = Password
lang-switch = Français
lang-switch-label = Lire en français
search = Search
filter = Filter
all = All
save = Save
cancel = Cancel
edit = Edit
create = Create
none = Nothing here.
previous = Previous page
next = Next page
form-errors = The form has errors:
required = required
history = Change history
export-csv = Export as CSV
dashboard-welcome = Hello
dashboard-figures = Key figures
dashboard-tasks = My open tasks
dashboard-renewals = Agreements to renew
error-404 = Page not found
error-403 = Access denied
error-500 = Internal error
error-request-id = Request reference
results-count =
    { $n ->
        [one] { $n } result
       *[other] { $n } results
    }
