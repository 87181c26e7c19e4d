/// HubSpot object types and their default properties.
enum HubSpotSchema {
    static let objectTypes = ["contacts", "companies", "deals", "calls", "emails", "meetings", "notes", "tasks"]
    static let engagements: Set<String> = ["calls", "emails", "meetings", "notes", "tasks"]

    /// HubSpot object type ids (`0-1` contacts ...).
    static let typeIDs = ["contacts": "0-1", "companies": "0-2", "deals": "0-3", "calls": "0-48", "emails": "0-49",
                          "meetings": "0-47", "notes": "0-46", "tasks": "0-27"]

    static let dealStages: [PicklistOption] = [
        PicklistOption("appointmentscheduled", label: "Appointment Scheduled"), PicklistOption("qualifiedtobuy", label: "Qualified To Buy"),
        PicklistOption("presentationscheduled", label: "Presentation Scheduled"), PicklistOption("decisionmakerboughtin", label: "Decision Maker Bought-In"),
        PicklistOption("contractsent", label: "Contract Sent"), PicklistOption("closedwon", label: "Closed Won"),
        PicklistOption("closedlost", label: "Closed Lost"),
    ]

    static func options(_ values: [String]) -> [PicklistOption] { values.map { PicklistOption($0, label: $0.capitalized) } }

    /// Canonical object type for a path segment (`contacts`, `0-1`, `contact`).
    static func objectType(_ segment: String) -> String? {
        if objectTypes.contains(segment) { return segment }
        if let match = typeIDs.first(where: { $0.value == segment }) { return match.key }
        return objectTypes.first { $0 == segment + "s" || $0 == segment + "es" || ($0 == "companies" && segment == "company") }
    }

    /// The last-modified property of a type.
    static func modifiedProperty(_ type: String) -> String { type == "contacts" ? "lastmodifieddate" : "hs_lastmodifieddate" }

    /// Properties maintained by HubSpot itself.
    static func systemProperties(_ type: String) -> [FieldSchema] {
        [
            FieldSchema("hs_object_id", .int, label: "Record ID", readOnly: true),
            FieldSchema("createdate", .dateTime, label: "Create Date", readOnly: true),
            FieldSchema(modifiedProperty(type), .dateTime, label: "Last Modified Date", readOnly: true),
            FieldSchema("hs_merged_object_ids", .string, label: "Merged Record IDs", readOnly: true),
            FieldSchema("hubspot_owner_id", .string, label: "Owner"),
        ]
    }

    static func properties(_ type: String) -> [FieldSchema] {
        let own: [FieldSchema]
        switch type {
        case "contacts":
            own = [
                FieldSchema("email", .email, label: "Email", unique: true), FieldSchema("firstname", .string, label: "First Name"),
                FieldSchema("lastname", .string, label: "Last Name"), FieldSchema("phone", .phone, label: "Phone Number"),
                FieldSchema("mobilephone", .phone, label: "Mobile Phone Number"), FieldSchema("jobtitle", .string, label: "Job Title"),
                FieldSchema("company", .string, label: "Company Name"), FieldSchema("website", .url, label: "Website URL"),
                FieldSchema("lifecyclestage", .picklist, label: "Lifecycle Stage", options: options(["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"])),
                FieldSchema("hs_lead_status", .picklist, label: "Lead Status", options: options(["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"])),
                FieldSchema("city", .string, label: "City"), FieldSchema("country", .string, label: "Country/Region"),
            ]
        case "companies":
            own = [
                FieldSchema("name", .string, label: "Company name"), FieldSchema("domain", .string, label: "Company Domain Name"),
                FieldSchema("website", .url, label: "Website URL"),
                FieldSchema("phone", .phone, label: "Phone Number"), FieldSchema("industry", .string, label: "Industry"),
                FieldSchema("city", .string, label: "City"), FieldSchema("country", .string, label: "Country/Region"),
                FieldSchema("numberofemployees", .int, label: "Number of Employees"), FieldSchema("annualrevenue", .double, label: "Annual Revenue"),
                FieldSchema("description", .textArea, label: "Description"),
            ]
        case "deals":
            own = [
                FieldSchema("dealname", .string, label: "Deal Name", required: true), FieldSchema("amount", .double, label: "Amount"),
                FieldSchema("dealstage", .picklist, label: "Deal Stage", required: true, options: dealStages),
                FieldSchema("pipeline", .picklist, label: "Pipeline", options: [PicklistOption("default", label: "Sales Pipeline")]),
                FieldSchema("closedate", .dateTime, label: "Close Date"),
                FieldSchema("dealtype", .picklist, label: "Deal Type", options: options(["newbusiness", "existingbusiness"])),
                FieldSchema("description", .textArea, label: "Deal Description"),
            ]
        case "notes": own = [FieldSchema("hs_note_body", .textArea, label: "Note body")]
        case "calls":
            own = [
                FieldSchema("hs_call_title", .string, label: "Call Title"), FieldSchema("hs_call_body", .textArea, label: "Call notes"),
                FieldSchema("hs_call_direction", .picklist, label: "Call direction", options: options(["INBOUND", "OUTBOUND"])),
                FieldSchema("hs_call_duration", .int, label: "Call duration"), FieldSchema("hs_call_status", .picklist, label: "Call status",
                    options: options(["BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING"])),
            ]
        case "emails":
            own = [
                FieldSchema("hs_email_subject", .string, label: "Email subject"), FieldSchema("hs_email_text", .textArea, label: "Email body"),
                FieldSchema("hs_email_html", .textArea, label: "Email HTML"),
                FieldSchema("hs_email_direction", .picklist, label: "Email direction", options: options(["EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"])),
                FieldSchema("hs_email_status", .picklist, label: "Email send status", options: options(["BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"])),
            ]
        case "meetings":
            own = [
                FieldSchema("hs_meeting_title", .string, label: "Meeting name"), FieldSchema("hs_meeting_body", .textArea, label: "Meeting description"),
                FieldSchema("hs_meeting_location", .string, label: "Location"),
                FieldSchema("hs_meeting_start_time", .dateTime, label: "Start time"), FieldSchema("hs_meeting_end_time", .dateTime, label: "End time"),
                FieldSchema("hs_meeting_outcome", .picklist, label: "Meeting outcome", options: options(["SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"])),
            ]
        default:
            own = [
                FieldSchema("hs_task_subject", .string, label: "Task Title"), FieldSchema("hs_task_body", .textArea, label: "Task notes"),
                FieldSchema("hs_task_status", .picklist, label: "Task Status", options: options(["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"])),
                FieldSchema("hs_task_priority", .picklist, label: "Priority", options: options(["LOW", "MEDIUM", "HIGH", "NONE"])),
                FieldSchema("hs_task_type", .picklist, label: "Task Type", options: options(["TODO", "CALL", "EMAIL", "LINKED_IN", "MEETING"])),
            ]
        }
        var all = systemProperties(type) + own
        if engagements.contains(type) { all.append(FieldSchema("hs_timestamp", .dateTime, label: "Activity date", required: true)) }
        return all + [concordID]
    }

    /// Concord's external id, created by the admin when installing Concord: a custom text
    /// property with unique values, usable as `idProperty`.
    static let concordID: FieldSchema = {
        var field = FieldSchema("concord_id", .string, label: "Concord Id", unique: true)
        field.custom = true
        return field
    }()

    /// Properties returned when a request names none.
    static func defaultProperties(_ type: String) -> [String] {
        switch type {
        case "contacts": ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"]
        case "companies": ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"]
        case "deals": ["amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"]
        default: ["createdate", "hs_lastmodifieddate", "hs_object_id", "hs_timestamp"]
        }
    }

    /// (HubSpot property type, fieldType) for a field kind.
    static func wireType(_ kind: FieldKind) -> (String, String) {
        switch kind {
        case .string, .email, .url, .id, .reference: ("string", "text")
        case .textArea: ("string", "textarea")
        case .phone: ("string", "phonenumber")
        case .int, .double, .currency: ("number", "number")
        case .bool: ("bool", "booleancheckbox")
        case .date: ("date", "date")
        case .dateTime: ("datetime", "date")
        case .picklist: ("enumeration", "select")
        case .multiPicklist: ("enumeration", "checkbox")
        }
    }

    static func kind(type: String, fieldType: String) -> FieldKind {
        switch type {
        case "number": .double
        case "bool": .bool
        case "date": .date
        case "datetime": .dateTime
        case "enumeration": fieldType == "checkbox" ? .multiPicklist : .picklist
        default: fieldType == "textarea" ? .textArea : .string
        }
    }
}
