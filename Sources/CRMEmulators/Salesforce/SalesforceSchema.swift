/// Emulated Salesforce objects with their fields (API names) and key prefixes.
enum SalesforceSchema {
    static let stages: [PicklistOption] = [
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
        "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost",
    ].map { PicklistOption($0) }

    static let prefixes = ["Account": "001", "Contact": "003", "Opportunity": "006", "Task": "00T", "Event": "00U", "Note": "002"]

    /// Concord's external id, created by the admin when installing Concord: Text(32), External ID, Unique.
    /// Classic `Note` cannot have custom fields, so it has none.
    static let concordID = FieldSchema("Concord_Id__c", .string, label: "Concord Id", maxLength: 32, unique: true)

    /// Fields every object has; all read-only.
    static let systemFields: [FieldSchema] = [
        FieldSchema("Id", .id, label: "Record ID", readOnly: true),
        FieldSchema("IsDeleted", .bool, label: "Deleted", readOnly: true),
        FieldSchema("CreatedDate", .dateTime, label: "Created Date", readOnly: true),
        FieldSchema("CreatedById", .reference, label: "Created By ID", readOnly: true),
        FieldSchema("LastModifiedDate", .dateTime, label: "Last Modified Date", readOnly: true),
        FieldSchema("LastModifiedById", .reference, label: "Last Modified By ID", readOnly: true),
        FieldSchema("SystemModstamp", .dateTime, label: "System Modstamp", readOnly: true),
        FieldSchema("OwnerId", .reference, label: "Owner ID", referenceTo: ["User"]),
    ]

    /// Default picklist values Salesforce fills on create when a request omits them.
    static let createDefaults: [String: [String: JSONValue]] = ["Task": ["Status": "Not Started", "Priority": "Normal"]]

    static func picklist(_ values: [String]) -> [PicklistOption] { values.map { PicklistOption($0) } }

    static let objects: [String: ObjectSchema] = {
        var result: [String: ObjectSchema] = [:]
        let account = ObjectSchema(name: "Account", label: "Account", fields: systemFields + [
            FieldSchema("Name", .string, label: "Account Name", required: true, maxLength: 255),
            FieldSchema("Website", .url, maxLength: 255),
            FieldSchema("Phone", .phone, maxLength: 40),
            FieldSchema("Industry", .picklist, options: picklist(["Technology", "Manufacturing", "Retail", "Finance", "Healthcare", "Education", "Energy", "Other"])),
            FieldSchema("Type", .picklist, options: picklist(["Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"])),
            FieldSchema("ParentId", .reference, referenceTo: ["Account"]),
            FieldSchema("NumberOfEmployees", .int),
            FieldSchema("AnnualRevenue", .currency),
            FieldSchema("BillingCity", .string, maxLength: 40),
            FieldSchema("BillingCountry", .string, maxLength: 80),
            FieldSchema("Description", .textArea, maxLength: 32000),
            FieldSchema("External_Id__c", .string, label: "External Id", maxLength: 255, unique: true),
            FieldSchema("MasterRecordId", .reference, label: "Master Record ID", readOnly: true, referenceTo: ["Account"]),
            concordID,
        ])
        let contact = ObjectSchema(name: "Contact", label: "Contact", fields: systemFields + [
            FieldSchema("FirstName", .string, label: "First Name", maxLength: 40),
            FieldSchema("LastName", .string, label: "Last Name", required: true, maxLength: 80),
            FieldSchema("Name", .string, label: "Full Name", readOnly: true),
            FieldSchema("Email", .email, maxLength: 80),
            FieldSchema("Phone", .phone, label: "Business Phone", maxLength: 40),
            FieldSchema("MobilePhone", .phone, label: "Mobile Phone", maxLength: 40),
            FieldSchema("Title", .string, maxLength: 128),
            FieldSchema("AccountId", .reference, label: "Account ID", referenceTo: ["Account"]),
            FieldSchema("MasterRecordId", .reference, label: "Master Record ID", readOnly: true, referenceTo: ["Contact"]),
            FieldSchema("MailingCity", .string, maxLength: 40),
            FieldSchema("MailingCountry", .string, maxLength: 80),
            FieldSchema("LeadSource", .picklist, options: picklist(["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"])),
            FieldSchema("Description", .textArea, maxLength: 32000),
            FieldSchema("External_Id__c", .string, label: "External Id", maxLength: 255, unique: true),
            concordID,
        ])
        let opportunity = ObjectSchema(name: "Opportunity", label: "Opportunity", fields: systemFields + [
            FieldSchema("Name", .string, required: true, maxLength: 120),
            FieldSchema("StageName", .picklist, label: "Stage", required: true, options: stages),
            FieldSchema("CloseDate", .date, label: "Close Date", required: true),
            FieldSchema("Amount", .currency),
            FieldSchema("AccountId", .reference, referenceTo: ["Account"]),
            FieldSchema("ContactId", .reference, referenceTo: ["Contact"]),
            FieldSchema("Probability", .double),
            FieldSchema("Type", .picklist, options: picklist(["New Customer", "Existing Customer - Upgrade", "Existing Customer - Renewal"])),
            FieldSchema("LeadSource", .picklist, options: picklist(["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"])),
            FieldSchema("IsClosed", .bool, readOnly: true),
            FieldSchema("IsWon", .bool, readOnly: true),
            FieldSchema("Description", .textArea, maxLength: 32000),
            FieldSchema("External_Id__c", .string, label: "External Id", maxLength: 255, unique: true),
            concordID,
        ])
        let task = ObjectSchema(name: "Task", label: "Task", fields: systemFields + [
            FieldSchema("Subject", .string, maxLength: 255),
            FieldSchema("Status", .picklist, required: true, options: picklist(["Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"])),
            FieldSchema("Priority", .picklist, required: true, options: picklist(["High", "Normal", "Low"])),
            FieldSchema("ActivityDate", .date, label: "Due Date Only"),
            FieldSchema("WhoId", .reference, label: "Name ID", referenceTo: ["Contact"]),
            FieldSchema("WhatId", .reference, label: "Related To ID", referenceTo: ["Account", "Opportunity"]),
            FieldSchema("Description", .textArea, maxLength: 32000),
            FieldSchema("TaskSubtype", .picklist, options: picklist(["Task", "Email", "Call", "ListEmail", "Cadence"])),
            FieldSchema("Type", .picklist, options: picklist(["Call", "Email", "Meeting", "Other"])),
            FieldSchema("IsClosed", .bool, readOnly: true),
            FieldSchema("AccountId", .reference, label: "Account ID", readOnly: true, referenceTo: ["Account"]),
            FieldSchema("CompletedDateTime", .dateTime, label: "Completed Date/Time", readOnly: true),
            FieldSchema("CallType", .picklist, label: "Call Type", options: picklist(["Internal", "Inbound", "Outbound"])),
            FieldSchema("CallDurationInSeconds", .int, label: "Call Duration"),
            FieldSchema("CallDisposition", .string, label: "Call Result", maxLength: 255),
            FieldSchema("External_Id__c", .string, label: "External Id", maxLength: 255, unique: true),
            concordID,
        ])
        let event = ObjectSchema(name: "Event", label: "Event", fields: systemFields + [
            FieldSchema("Subject", .string, maxLength: 255),
            FieldSchema("StartDateTime", .dateTime),
            FieldSchema("EndDateTime", .dateTime),
            FieldSchema("DurationInMinutes", .int),
            FieldSchema("IsAllDayEvent", .bool),
            FieldSchema("WhoId", .reference, referenceTo: ["Contact"]),
            FieldSchema("WhatId", .reference, referenceTo: ["Account", "Opportunity"]),
            FieldSchema("Location", .string, maxLength: 255),
            FieldSchema("ActivityDateTime", .dateTime, label: "Due Date Time"),
            FieldSchema("ActivityDate", .date, label: "Due Date Only"),
            FieldSchema("ShowAs", .picklist, label: "Show Time As", options: picklist(["Busy", "OutOfOffice", "Free"])),
            FieldSchema("IsPrivate", .bool, label: "Private"),
            FieldSchema("Type", .picklist, options: picklist(["Call", "Email", "Meeting", "Other"])),
            FieldSchema("AccountId", .reference, label: "Account ID", readOnly: true, referenceTo: ["Account"]),
            FieldSchema("Description", .textArea, maxLength: 32000),
            FieldSchema("External_Id__c", .string, label: "External Id", maxLength: 255, unique: true),
            concordID,
        ])
        // Classic notes: not customizable (no custom fields), ParentId fixed at create.
        let note = ObjectSchema(name: "Note", label: "Note", fields: systemFields + [
            {
                var parent = FieldSchema("ParentId", .reference, label: "Parent ID", required: true, referenceTo: ["Account", "Contact", "Opportunity"])
                parent.createOnly = true
                return parent
            }(),
            FieldSchema("Title", .string, required: true, maxLength: 80),
            FieldSchema("Body", .textArea, maxLength: 32000),
            FieldSchema("IsPrivate", .bool, label: "Private"),
        ])
        for object in [account, contact, opportunity, task, event, note] { result[object.name] = object }
        return result
    }()

    /// Canonical object name for any casing (`contact` -> `Contact`).
    static func objectName(_ name: String) -> String? {
        objects.keys.first { $0.lowercased() == name.lowercased() }
    }
}
