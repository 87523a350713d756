# Steering pages and messages.
pil-nav = Steering
pil-dashboard = Steering dashboard
pil-period = Period from { $from } to { $to }
pil-from = From
pil-to = To
pil-all = All
pil-contents = Contents
pil-institution = Institution
pil-whole-agency = Whole agency
pil-plan-title = Action plan
pil-plan-progress = Plan progress
pil-weighted-progress = Weighted progress
pil-progress-per-unit = Progress per department or domain
pil-units-chart-summary = The chart shows the weighted progress of each department or domain, from 0 to 100%; the table below it gives the same figures.
pil-deliverables = Deliverables
pil-deliverable = Deliverable
pil-late-deliverables = Late deliverables
pil-see-all-late =
    { $n ->
        [one] See the late deliverable
       *[other] See the { $n } late deliverables
    }
pil-my-deliverables = My late or at-risk deliverables
pil-all-my-deliverables = All my deliverables
pil-key-indicators = Key indicators
pil-all-indicators = Every indicator, with its chart and data
pil-my-institutions = My institutions
pil-sla-at-risk = Service commitments at risk
pil-indicators = Indicators
pil-value = Value over the period
pil-formula = Formula: { $formula }
pil-chart-data = Data of the chart “{ $name }”
pil-chart-summary = { $name }: { $value } over the period ({ $days ->
        [one] { $days } day of data
       *[other] { $days } days of data
    }).
pil-export-chart-csv = Export the data “{ $name }” as CSV
pil-export-chart-xlsx = Export the data “{ $name }” as XLSX
pil-export-csv = Export as CSV
pil-export-xlsx = Export as XLSX
pil-import = Import deliverables
pil-import-intro = A CSV (separator ; or ,) or XLSX file, one line per deliverable. If a line is wrong nothing is imported and every wrong line is listed.
pil-import-columns = Columns:
pil-import-file = CSV or XLSX file
pil-import-submit = Import
pil-import-done = Import finished: { $created } created, { $updated } updated, { $unchanged } unchanged.
pil-import-refused =
    { $n ->
        [one] Nothing was imported: { $n } error in the file.
       *[other] Nothing was imported: { $n } errors in the file.
    }
pil-import-errors = Lines refused
pil-back-to-plan = Back to the action plan
pil-col-reference = Reference
pil-col-unit = Department or domain
pil-col-objective = Objective
pil-col-title = Title
pil-col-owner = Owner
pil-col-product = Product
pil-col-start = Start
pil-col-due = Due
pil-col-status = Status
pil-col-progress = Progress
pil-col-weight = Weight
pil-col-health = State
pil-col-delivered = Delivered on
pil-col-date = Date
pil-col-author = Author
pil-col-kind = Kind
pil-col-proof = Proof
pil-col-line = Line
pil-col-field = Column
pil-col-error = Error
pil-col-day = Day
pil-col-numerator = Numerator
pil-col-denominator = Denominator
pil-col-value = Value
pil-change-status = Change the status
pil-change-status-help = A comment is required to postpone or abandon a deliverable; it is kept in the history.
pil-new-status = New status
pil-progress-percent = Progress (in %)
pil-comment = Comment
pil-comments = Comments
pil-add-comment = Add the comment
pil-proofs = Proofs
pil-proof-target = Target
pil-proof-target-hint = The id of the ticket, incident, training, campaign or publication; the address of a document.
pil-proof-label = Label
pil-add-proof = Add the proof
