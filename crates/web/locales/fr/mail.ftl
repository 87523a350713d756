# Mail pages and messages.
