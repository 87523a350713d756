# Everyday pages and messages.

## Main menu (grouped by activity)
menu-toggle = Menu
menu-group-mine = My space
menu-group-desk = Support
menu-group-institutions = Institutions
menu-group-relation = Member relations
menu-group-training = Training and communities
menu-group-steering = Steering
menu-group-admin = Administration
menu-support = Tickets
menu-publications = Publications
