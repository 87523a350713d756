# Everyday pages and messages.

## Main menu (grouped by activity)
menu-toggle = Menu
menu-group-mine = Mon espace
menu-group-desk = Support
menu-group-institutions = Établissements
menu-group-relation = Relation adhérents
menu-group-training = Formations et communautés
menu-group-steering = Pilotage
menu-group-admin = Administration
menu-support = Tickets
menu-publications = Publications
