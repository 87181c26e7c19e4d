extension DefaultConfig {
    /// Tasks and calls. Salesforce keeps both as `Task` rows told apart by `TaskSubtype`.
    static let tasksAndCalls = """
    objects:
      task:
        label: A to-do
        fields:
          subject: {type: string, required: true, max_length: 200}
          body: {type: string, max_length: 32000}
          status: {type: picklist, values: [not_started, in_progress, waiting, completed, deferred]}
          priority: {type: picklist, values: [low, normal, high]}
          due_date: {type: date}
          contact: {type: reference(contact)}
          company: {type: reference(company)}
          deal: {type: reference(deal)}
      call:
        label: A logged phone call
        fields:
          subject: {type: string, required: true, max_length: 200}
          body: {type: string, max_length: 32000}
          direction: {type: picklist, values: [inbound, outbound]}
          occurred_at: {type: datetime}
          contact: {type: reference(contact)}
          company: {type: reference(company)}
          deal: {type: reference(deal)}
    mappings:
      salesforce:
        task:
          object: Task
          where: {TaskSubtype: Task}
          fields:
            subject: {field: Subject, max_length: 255, required: true}
            body: {field: Description, max_length: 32000}
            status:
              field: Status
              required: true
              default: Not Started
              transform:
                kind: picklist
                values: {not_started: Not Started, in_progress: In Progress, waiting: Waiting on someone else,
                         completed: Completed, deferred: Deferred}
            priority:
              field: Priority
              required: true
              default: Normal
              transform: {kind: picklist, values: {low: Low, normal: Normal, high: High}}
            due_date: ActivityDate
            contact: WhoId
            # WhatId holds an Opportunity or an Account (a polymorphic group, deal first);
            # Salesforce derives the read-only AccountId, which Concord does not map.
            deal: WhatId
            company: WhatId
        call:
          object: Task
          where: {TaskSubtype: Call}
          fields:
            subject: {field: Subject, max_length: 255, required: true}
            body: {field: Description, max_length: 32000}
            direction: {field: CallType, transform: {kind: picklist, values: {inbound: Inbound, outbound: Outbound}}}
            occurred_at: {field: CompletedDateTime, read_only: true}
            contact: WhoId
            deal: WhatId
            company: WhatId
      hubspot:
        task:
          object: tasks
          fields:
            subject: hs_task_subject
            body: hs_task_body
            status:
              field: hs_task_status
              transform:
                kind: picklist
                values: {not_started: NOT_STARTED, in_progress: IN_PROGRESS, waiting: WAITING,
                         completed: COMPLETED, deferred: DEFERRED}
            priority:
              field: hs_task_priority
              transform: {kind: picklist, values: {low: LOW, normal: MEDIUM, high: HIGH}}
            due_date: {field: hs_timestamp, required: true, transform: {kind: date, format: midnight}}
            contact: associations.contacts
            company: associations.companies
            deal: associations.deals
        call:
          object: calls
          fields:
            subject: hs_call_title
            body: hs_call_body
            direction: {field: hs_call_direction, transform: {kind: picklist, values: {inbound: INBOUND, outbound: OUTBOUND}}}
            occurred_at: {field: hs_timestamp, required: true}
            contact: associations.contacts
            company: associations.companies
            deal: associations.deals
      dynamics:
        task:
          object: tasks
          fields:
            subject: {field: subject, max_length: 200, required: true}
            body: description
            status:
              field: statecode
              transform:
                kind: optionset
                values: {not_started: 0, in_progress: 0, waiting: 0, completed: 1, deferred: 2}
                inbound: {"0": not_started}
            priority: {field: prioritycode, transform: {kind: optionset, values: {low: 0, normal: 1, high: 2}}}
            due_date: {field: scheduledend, transform: {kind: date, format: midnight}}
            deal:
              field: _regardingobjectid_value
              write_field: regardingobjectid_opportunity_task@odata.bind
              transform: {kind: reference, bind: "/opportunities({id})"}
            contact:
              field: _regardingobjectid_value
              write_field: regardingobjectid_contact_task@odata.bind
              transform: {kind: reference, bind: "/contacts({id})"}
            company:
              field: _regardingobjectid_value
              write_field: regardingobjectid_account_task@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
        call:
          object: phonecalls
          fields:
            subject: {field: subject, max_length: 200, required: true}
            body: description
            occurred_at: actualend
            deal:
              field: _regardingobjectid_value
              write_field: regardingobjectid_opportunity_phonecall@odata.bind
              transform: {kind: reference, bind: "/opportunities({id})"}
            contact:
              field: _regardingobjectid_value
              write_field: regardingobjectid_contact_phonecall@odata.bind
              transform: {kind: reference, bind: "/contacts({id})"}
            company:
              field: _regardingobjectid_value
              write_field: regardingobjectid_account_phonecall@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
    sync:
      objects:
        task: {delete: propagate}
        call: {delete: propagate}
    """

    /// Emails, meetings and notes.
    static let emailsMeetingsNotes = """
    objects:
      email:
        label: A logged email
        fields:
          subject: {type: string, required: true, max_length: 200}
          body: {type: string, max_length: 32000}
          direction: {type: picklist, values: [outgoing, incoming, forwarded]}
          sent_at: {type: datetime}
          contact: {type: reference(contact)}
          company: {type: reference(company)}
          deal: {type: reference(deal)}
      meeting:
        label: A meeting
        fields:
          subject: {type: string, required: true, max_length: 200}
          body: {type: string, max_length: 32000}
          location: {type: string, max_length: 200}
          start_at: {type: datetime, required: true}
          end_at: {type: datetime}
          all_day: {type: bool}
          contact: {type: reference(contact)}
          company: {type: reference(company)}
          deal: {type: reference(deal)}
      note:
        label: A note on a record
        fields:
          title: {type: string, max_length: 80}
          body: {type: string, required: true, max_length: 32000}
          noted_at: {type: datetime}
          contact: {type: reference(contact)}
          company: {type: reference(company)}
          deal: {type: reference(deal)}
    mappings:
      salesforce:
        email:
          object: Task
          where: {TaskSubtype: Email}
          fields:
            subject: {field: Subject, max_length: 255, required: true}
            body: {field: Description, max_length: 32000}
            sent_at: {field: CompletedDateTime, read_only: true}
            contact: WhoId
            deal: WhatId
            company: WhatId
        meeting:
          object: Event
          fields:
            subject: {field: Subject, max_length: 255}
            body: {field: Description, max_length: 32000}
            location: {field: Location, max_length: 255}
            start_at: {field: StartDateTime, required: true}
            end_at: EndDateTime
            all_day: IsAllDayEvent
            contact: WhoId
            deal: WhatId
            company: WhatId
        note:
          object: Note
          external_id: none
          fields:
            title: {field: Title, max_length: 80, required: true, default: Note}
            body: {field: Body, max_length: 32000}
            noted_at: {field: CreatedDate, read_only: true}
            # A classic note hangs off exactly one Opportunity, Contact or Account, which it
            # must have: a polymorphic group, deal first, then contact, then company.
            deal: {field: ParentId, required: true, create_only: true}
            contact: {field: ParentId, required: true, create_only: true}
            company: {field: ParentId, required: true, create_only: true}
      hubspot:
        email:
          object: emails
          fields:
            subject: hs_email_subject
            body: hs_email_text
            direction:
              field: hs_email_direction
              transform: {kind: picklist, values: {outgoing: EMAIL, incoming: INCOMING_EMAIL, forwarded: FORWARDED_EMAIL}}
            sent_at: {field: hs_timestamp, required: true}
            contact: associations.contacts
            company: associations.companies
            deal: associations.deals
        meeting:
          object: meetings
          fields:
            subject: hs_meeting_title
            body: hs_meeting_body
            location: hs_meeting_location
            start_at: {field: hs_meeting_start_time, copy_to: [hs_timestamp], required: true}
            end_at: hs_meeting_end_time
            contact: associations.contacts
            company: associations.companies
            deal: associations.deals
        note:
          object: notes
          fields:
            body: hs_note_body
            noted_at: {field: hs_timestamp, required: true}
            contact: associations.contacts
            company: associations.companies
            deal: associations.deals
      dynamics:
        email:
          object: emails
          fields:
            subject: {field: subject, max_length: 200, required: true}
            body: description
            sent_at: actualend
            deal:
              field: _regardingobjectid_value
              write_field: regardingobjectid_opportunity_email@odata.bind
              transform: {kind: reference, bind: "/opportunities({id})"}
            contact:
              field: _regardingobjectid_value
              write_field: regardingobjectid_contact_email@odata.bind
              transform: {kind: reference, bind: "/contacts({id})"}
            company:
              field: _regardingobjectid_value
              write_field: regardingobjectid_account_email@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
        meeting:
          object: appointments
          fields:
            subject: {field: subject, max_length: 200, required: true}
            body: description
            location: {field: location, max_length: 200}
            start_at: scheduledstart
            end_at: scheduledend
            all_day: isalldayevent
            deal:
              field: _regardingobjectid_value
              write_field: regardingobjectid_opportunity_appointment@odata.bind
              transform: {kind: reference, bind: "/opportunities({id})"}
            contact:
              field: _regardingobjectid_value
              write_field: regardingobjectid_contact_appointment@odata.bind
              transform: {kind: reference, bind: "/contacts({id})"}
            company:
              field: _regardingobjectid_value
              write_field: regardingobjectid_account_appointment@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
        note:
          object: annotations
          external_id: none
          fields:
            title: {field: subject, max_length: 500}
            body: notetext
            noted_at: {field: createdon, read_only: true}
            deal:
              field: _objectid_value
              write_field: objectid_opportunity@odata.bind
              transform: {kind: reference, bind: "/opportunities({id})"}
            contact:
              field: _objectid_value
              write_field: objectid_contact@odata.bind
              transform: {kind: reference, bind: "/contacts({id})"}
            company:
              field: _objectid_value
              write_field: objectid_account@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
    sync:
      objects:
        email: {delete: propagate}
        meeting: {delete: propagate}
        note: {delete: propagate}
    """
}
