extension DefaultConfig {
    /// Deals (Salesforce Opportunity, HubSpot deals, Dataverse opportunity), with the
    /// stage tables: ten Salesforce stages onto seven HubSpot default-pipeline stage ids and
    /// four Dataverse `salesstage` options (many-to-one, with an explicit inbound choice).
    static let deal = """
    objects:
      deal:
        label: A sales opportunity
        fields:
          name: {type: string, required: true, max_length: 120}
          stage:
            type: picklist
            required: true
            values: [prospecting, qualification, needs_analysis, value_proposition, decision_makers,
                     perception_analysis, proposal, negotiation, closed_won, closed_lost]
          amount: {type: currency, scale: 2}
          close_date: {type: date, required: true}
          probability: {type: decimal}
          deal_type: {type: string, max_length: 80}
          company: {type: reference(company)}
          state: {type: picklist, values: [open, won, lost], rule: {one-way: dynamics}}
    mappings:
      salesforce:
        deal:
          object: Opportunity
          fields:
            name: {field: Name, transform: trim, max_length: 120, required: true}
            stage:
              field: StageName
              required: true
              transform:
                kind: picklist
                values:
                  prospecting: Prospecting
                  qualification: Qualification
                  needs_analysis: Needs Analysis
                  value_proposition: Value Proposition
                  decision_makers: Id. Decision Makers
                  perception_analysis: Perception Analysis
                  proposal: Proposal/Price Quote
                  negotiation: Negotiation/Review
                  closed_won: Closed Won
                  closed_lost: Closed Lost
            amount: Amount
            close_date: {field: CloseDate, required: true}
            probability: Probability
            deal_type: Type
            company: AccountId
      hubspot:
        deal:
          object: deals
          where: {pipeline: default}
          fields:
            name: {field: dealname, transform: trim}
            stage:
              field: dealstage
              transform:
                kind: picklist
                values:
                  prospecting: appointmentscheduled
                  qualification: qualifiedtobuy
                  needs_analysis: qualifiedtobuy
                  value_proposition: presentationscheduled
                  decision_makers: decisionmakerboughtin
                  perception_analysis: decisionmakerboughtin
                  proposal: contractsent
                  negotiation: contractsent
                  closed_won: closedwon
                  closed_lost: closedlost
                inbound: {qualifiedtobuy: qualification, decisionmakerboughtin: decision_makers, contractsent: proposal}
            amount: amount
            close_date: {field: closedate, transform: {kind: date, format: midnight}}
            deal_type: dealtype
            company: associations.companies
      dynamics:
        deal:
          object: opportunities
          fields:
            name: {field: name, transform: trim, max_length: 300, required: true}
            stage:
              field: salesstage
              transform:
                kind: optionset
                values:
                  prospecting: 0
                  qualification: 0
                  needs_analysis: 1
                  value_proposition: 1
                  decision_makers: 2
                  perception_analysis: 2
                  proposal: 2
                  negotiation: 3
                  closed_won: 3
                  closed_lost: 3
                inbound: {"0": qualification, "1": needs_analysis, "2": proposal, "3": negotiation}
            amount: estimatedvalue
            close_date: estimatedclosedate
            probability: {field: closeprobability, transform: {kind: decimal, scale: 0}}
            company:
              field: _parentaccountid_value
              write_field: parentaccountid@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
            state:
              field: statecode
              read_only: true
              transform: {kind: optionset, values: {open: 0, won: 1, lost: 2}}
    sync:
      objects:
        deal: {delete: propagate}
    """
}
