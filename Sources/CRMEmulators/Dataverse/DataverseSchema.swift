/// A Dataverse lookup column and the navigation properties that bind it.
struct DataverseLookup: Sendable {
    var name: String
    /// Navigation property -> target entity logical name.
    var navigation: [String: String]
}

/// One emulated Dataverse table.
struct DataverseEntity: Sendable {
    var logicalName: String
    var entitySet: String
    var primaryID: String
    var primaryName: String
    var fields: ObjectSchema
    var lookups: [DataverseLookup]
    /// Alternate key columns.
    var alternateKeys: [String]

    var schemaName: String { logicalName.prefix(1).uppercased() + logicalName.dropFirst() }
}

enum DataverseSchema {
    /// Column default values applied on create when a request omits them.
    static let createDefaults: [String: JSONValue] = ["statecode": 0, "prioritycode": 1]

    static func option(_ code: Int, _ label: String) -> PicklistOption { PicklistOption(String(code), label: label, code: code) }

    static func common(_ id: String) -> [FieldSchema] {
        [
            FieldSchema(id, .id, readOnly: true), FieldSchema("createdon", .dateTime, label: "Created On", readOnly: true),
            FieldSchema("modifiedon", .dateTime, label: "Modified On", readOnly: true), FieldSchema("versionnumber", .int, label: "Version Number", readOnly: true),
            FieldSchema("new_externalid", .string, label: "External Id", maxLength: 100, unique: true),
            FieldSchema("new_concordid", .string, label: "Concord Id", maxLength: 32, unique: true),
        ]
    }

    /// What the Merge action leaves on a subordinate record of a table that merges (account,
    /// contact): `merged` true and `masterid` naming the record it was merged into; the
    /// subordinate is deactivated, not deleted.
    static func mergeFields(_ table: String) -> [FieldSchema] {
        [
            FieldSchema("merged", .bool, label: "Merged", readOnly: true),
            FieldSchema("masterid", .reference, label: "Master ID", readOnly: true, referenceTo: [table]),
        ]
    }

    /// The changes the Merge action makes to a subordinate merged into `primary`: deactivated
    /// (`statecode` 1), `merged` true, `masterid` naming the master.
    static func retiredByMerge(into primary: String, table: String) -> [String: JSONValue] {
        ["statecode": 1, "merged": true, "masterid": ["id": .string(primary), "type": .string(table)]]
    }

    static func activity(_ name: String, set: String, extra: [FieldSchema], states: [PicklistOption]) -> DataverseEntity {
        let fields = common("activityid") + [
            FieldSchema("subject", .string, label: "Subject", required: true, maxLength: 200),
            FieldSchema("description", .textArea, label: "Description", maxLength: 100_000),
            FieldSchema("scheduledstart", .dateTime, label: "Start Date"), FieldSchema("scheduledend", .dateTime, label: "Due Date"),
            FieldSchema("actualend", .dateTime, label: "Actual End"),
            FieldSchema("statecode", .picklist, label: "Activity Status", options: states),
            FieldSchema("prioritycode", .picklist, label: "Priority", options: [option(0, "Low"), option(1, "Normal"), option(2, "High")]),
            FieldSchema("regardingobjectid", .reference, label: "Regarding", referenceTo: ["account", "contact", "opportunity"]),
        ] + extra
        return DataverseEntity(
            logicalName: name, entitySet: set, primaryID: "activityid", primaryName: "subject",
            fields: ObjectSchema(name: name, label: name.capitalized, fields: fields),
            lookups: [DataverseLookup(name: "regardingobjectid", navigation: [
                "regardingobjectid_account_\(name)": "account", "regardingobjectid_contact_\(name)": "contact",
                "regardingobjectid_opportunity_\(name)": "opportunity",
            ])],
            alternateKeys: ["new_externalid", "new_concordid"])
    }

    static let entities: [DataverseEntity] = [
        DataverseEntity(
            logicalName: "account", entitySet: "accounts", primaryID: "accountid", primaryName: "name",
            fields: ObjectSchema(name: "account", label: "Account", fields: common("accountid") + [
                FieldSchema("name", .string, label: "Account Name", required: true, maxLength: 160),
                FieldSchema("accountnumber", .string, label: "Account Number", maxLength: 20, unique: true),
                FieldSchema("telephone1", .phone, label: "Main Phone", maxLength: 50), FieldSchema("emailaddress1", .email, label: "Email", maxLength: 100),
                FieldSchema("websiteurl", .url, label: "Website", maxLength: 200), FieldSchema("address1_city", .string, label: "City", maxLength: 80),
                FieldSchema("address1_country", .string, label: "Country", maxLength: 80), FieldSchema("revenue", .currency, label: "Annual Revenue"),
                FieldSchema("numberofemployees", .int, label: "Number of Employees"),
                FieldSchema("industrycode", .picklist, label: "Industry", options: [
                    option(1, "Accounting"), option(2, "Agriculture"), option(3, "Broadcasting"), option(7, "Consulting"),
                    option(12, "Financial"), option(19, "Manufacturing"), option(27, "Retail"), option(33, "Technology"), option(100000000, "Other"),
                ]),
                FieldSchema("statecode", .picklist, label: "Status", options: [option(0, "Active"), option(1, "Inactive")]),
                FieldSchema("primarycontactid", .reference, label: "Primary Contact", referenceTo: ["contact"]),
                FieldSchema("parentaccountid", .reference, label: "Parent Account", referenceTo: ["account"]),
                FieldSchema("description", .textArea, label: "Description", maxLength: 2000),
            ] + mergeFields("account")),
            lookups: [DataverseLookup(name: "primarycontactid", navigation: ["primarycontactid": "contact"]),
                      DataverseLookup(name: "parentaccountid", navigation: ["parentaccountid": "account"]),
                      DataverseLookup(name: "masterid", navigation: ["masterid": "account"])],
            alternateKeys: ["accountnumber", "new_externalid", "new_concordid"]),
        DataverseEntity(
            logicalName: "contact", entitySet: "contacts", primaryID: "contactid", primaryName: "fullname",
            fields: ObjectSchema(name: "contact", label: "Contact", fields: common("contactid") + [
                FieldSchema("firstname", .string, label: "First Name", maxLength: 50), FieldSchema("lastname", .string, label: "Last Name", required: true, maxLength: 50),
                FieldSchema("fullname", .string, label: "Full Name", readOnly: true), FieldSchema("emailaddress1", .email, label: "Email", maxLength: 100),
                FieldSchema("telephone1", .phone, label: "Business Phone", maxLength: 50), FieldSchema("mobilephone", .phone, label: "Mobile Phone", maxLength: 50),
                FieldSchema("jobtitle", .string, label: "Job Title", maxLength: 100), FieldSchema("address1_city", .string, label: "City", maxLength: 80),
                FieldSchema("address1_country", .string, label: "Country/Region", maxLength: 80),
                FieldSchema("statecode", .picklist, label: "Status", options: [option(0, "Active"), option(1, "Inactive")]),
                FieldSchema("parentcustomerid", .reference, label: "Company Name", referenceTo: ["account", "contact"]),
                FieldSchema("description", .textArea, label: "Description", maxLength: 2000),
            ] + mergeFields("contact")),
            lookups: [DataverseLookup(name: "parentcustomerid", navigation: ["parentcustomerid_account": "account", "parentcustomerid_contact": "contact"]),
                      DataverseLookup(name: "masterid", navigation: ["masterid": "contact"])],
            alternateKeys: ["new_externalid", "new_concordid"]),
        DataverseEntity(
            logicalName: "opportunity", entitySet: "opportunities", primaryID: "opportunityid", primaryName: "name",
            fields: ObjectSchema(name: "opportunity", label: "Opportunity", fields: common("opportunityid") + [
                FieldSchema("name", .string, label: "Topic", required: true, maxLength: 300),
                FieldSchema("estimatedvalue", .currency, label: "Est. Revenue"), FieldSchema("estimatedclosedate", .date, label: "Est. Close Date"),
                FieldSchema("actualvalue", .currency, label: "Actual Revenue"), FieldSchema("actualclosedate", .date, label: "Actual Close Date"),
                FieldSchema("closeprobability", .int, label: "Probability"), FieldSchema("stepname", .string, label: "Pipeline Phase", maxLength: 200),
                FieldSchema("salesstage", .picklist, label: "Sales Stage", options: [option(0, "Qualify"), option(1, "Develop"), option(2, "Propose"), option(3, "Close")]),
                FieldSchema("statecode", .picklist, label: "Status", options: [option(0, "Open"), option(1, "Won"), option(2, "Lost")]),
                FieldSchema("customerid", .reference, label: "Potential Customer", referenceTo: ["account", "contact"]),
                FieldSchema("parentaccountid", .reference, label: "Account", referenceTo: ["account"]),
                FieldSchema("parentcontactid", .reference, label: "Contact", referenceTo: ["contact"]),
                FieldSchema("description", .textArea, label: "Description", maxLength: 2000),
            ]),
            lookups: [DataverseLookup(name: "customerid", navigation: ["customerid_account": "account", "customerid_contact": "contact"]),
                      DataverseLookup(name: "parentaccountid", navigation: ["parentaccountid": "account"]),
                      DataverseLookup(name: "parentcontactid", navigation: ["parentcontactid": "contact"])],
            alternateKeys: ["new_externalid", "new_concordid"]),
        activity("task", set: "tasks", extra: [FieldSchema("percentcomplete", .int, label: "Percent Complete")],
                 states: [option(0, "Open"), option(1, "Completed"), option(2, "Canceled")]),
        activity("phonecall", set: "phonecalls", extra: [
            FieldSchema("phonenumber", .phone, label: "Phone Number", maxLength: 200), FieldSchema("directioncode", .bool, label: "Direction"),
            FieldSchema("actualdurationminutes", .int, label: "Duration"),
        ], states: [option(0, "Open"), option(1, "Completed"), option(2, "Canceled")]),
        activity("email", set: "emails", extra: [FieldSchema("directioncode", .bool, label: "Direction")],
                 states: [option(0, "Open"), option(1, "Completed"), option(2, "Canceled")]),
        activity("appointment", set: "appointments", extra: [
            FieldSchema("location", .string, label: "Location", maxLength: 200), FieldSchema("isalldayevent", .bool, label: "All Day Event"),
            FieldSchema("scheduleddurationminutes", .int, label: "Duration"),
        ], states: [option(0, "Open"), option(1, "Completed"), option(2, "Canceled"), option(3, "Scheduled")]),
        annotation,
    ]

    /// Notes (`annotation`): not customizable, so no Concord column and no alternate key.
    static let annotation = DataverseEntity(
        logicalName: "annotation", entitySet: "annotations", primaryID: "annotationid", primaryName: "subject",
        fields: ObjectSchema(name: "annotation", label: "Note", fields: [
            FieldSchema("annotationid", .id, readOnly: true), FieldSchema("createdon", .dateTime, label: "Created On", readOnly: true),
            FieldSchema("modifiedon", .dateTime, label: "Modified On", readOnly: true), FieldSchema("versionnumber", .int, label: "Version Number", readOnly: true),
            FieldSchema("subject", .string, label: "Title", maxLength: 500),
            FieldSchema("notetext", .textArea, label: "Description", maxLength: 100_000),
            FieldSchema("objectid", .reference, label: "Regarding", referenceTo: ["account", "contact", "opportunity"]),
            FieldSchema("objecttypecode", .string, label: "Object Type", readOnly: true),
            FieldSchema("isdocument", .bool, label: "Is Document"),
            FieldSchema("filename", .string, label: "File Name", maxLength: 255),
            FieldSchema("mimetype", .string, label: "Mime Type", maxLength: 256),
        ]),
        lookups: [DataverseLookup(name: "objectid", navigation: [
            "objectid_account": "account", "objectid_contact": "contact", "objectid_opportunity": "opportunity",
        ])],
        alternateKeys: [])

    static func entity(set: String) -> DataverseEntity? { entities.first { $0.entitySet == set } }
    static func entity(logicalName: String) -> DataverseEntity? { entities.first { $0.logicalName == logicalName } }
}
