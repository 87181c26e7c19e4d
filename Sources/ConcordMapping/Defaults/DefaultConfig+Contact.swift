extension DefaultConfig {
    /// Contacts: people, with their company, in all three CRMs.
    static let contact = """
    objects:
      contact:
        label: A person
        fields:
          first_name: {type: string, max_length: 40}
          last_name: {type: string, required: true, max_length: 80}
          email: {type: email, format: email, max_length: 80}
          phone: {type: phone, max_length: 40}
          mobile_phone: {type: phone, max_length: 40}
          job_title: {type: string, max_length: 128}
          company: {type: reference(company)}
          city: {type: string, max_length: 40}
          country: {type: string, max_length: 80}
          lifecycle_stage:
            type: picklist
            values: [subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other]
          status: {type: picklist, values: [active, inactive]}
    mappings:
      salesforce:
        contact:
          object: Contact
          fields:
            first_name: {field: FirstName, transform: trim, max_length: 40}
            last_name: {field: LastName, transform: trim, max_length: 80, required: true}
            email: {field: Email, transform: email, max_length: 80}
            phone: {field: Phone, transform: phone, max_length: 40}
            mobile_phone: {field: MobilePhone, transform: phone, max_length: 40}
            job_title: {field: Title, max_length: 128}
            company: AccountId
            city: {field: MailingCity, max_length: 40}
            country: {field: MailingCountry, max_length: 80}
      hubspot:
        contact:
          object: contacts
          fields:
            first_name: {field: firstname, transform: trim}
            last_name: {field: lastname, transform: trim}
            email: {field: email, transform: email}
            phone: {field: phone, transform: phone}
            mobile_phone: {field: mobilephone, transform: phone}
            job_title: jobtitle
            company: associations.companies
            city: city
            country: country
            lifecycle_stage: lifecyclestage
      dynamics:
        contact:
          object: contacts
          fields:
            first_name: {field: firstname, transform: trim, max_length: 50}
            last_name: {field: lastname, transform: trim, max_length: 50, required: true}
            email: {field: emailaddress1, transform: email, max_length: 100}
            phone: {field: telephone1, transform: phone, max_length: 50}
            mobile_phone: {field: mobilephone, transform: phone, max_length: 50}
            job_title: {field: jobtitle, max_length: 100}
            company:
              field: _parentcustomerid_value
              write_field: parentcustomerid_account@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
            city: {field: address1_city, max_length: 80}
            country: {field: address1_country, max_length: 80}
            status: {field: statecode, transform: {kind: optionset, values: {active: 0, inactive: 1}}}
    sync:
      objects:
        contact: {delete: propagate, match: [email]}
    """

    /// Companies (Salesforce Account, HubSpot companies, Dataverse account).
    static let company = """
    objects:
      company:
        label: An organisation
        fields:
          name: {type: string, required: true, max_length: 160}
          domain: {type: string, format: domain, max_length: 255}
          website: {type: string, max_length: 200}
          phone: {type: phone, max_length: 40}
          industry: {type: string, max_length: 120}
          employees: {type: int}
          annual_revenue: {type: currency, scale: 2}
          city: {type: string, max_length: 40}
          country: {type: string, max_length: 80}
          parent: {type: reference(company)}
    mappings:
      salesforce:
        company:
          object: Account
          fields:
            name: {field: Name, transform: trim, max_length: 255, required: true}
            website: {field: Website, max_length: 255}
            phone: {field: Phone, transform: phone, max_length: 40}
            industry: Industry
            employees: NumberOfEmployees
            annual_revenue: AnnualRevenue
            city: {field: BillingCity, max_length: 40}
            country: {field: BillingCountry, max_length: 80}
            parent: ParentId
      hubspot:
        company:
          object: companies
          fields:
            name: {field: name, transform: trim}
            domain: {field: domain, transform: lowercase}
            website: website
            phone: {field: phone, transform: phone}
            industry: industry
            employees: numberofemployees
            annual_revenue: annualrevenue
            city: city
            country: country
      dynamics:
        company:
          object: accounts
          fields:
            name: {field: name, transform: trim, max_length: 160, required: true}
            website: {field: websiteurl, max_length: 200}
            phone: {field: telephone1, transform: phone, max_length: 50}
            employees: numberofemployees
            annual_revenue: {field: revenue, transform: {kind: decimal}}
            city: {field: address1_city, max_length: 80}
            country: {field: address1_country, max_length: 80}
            parent:
              field: _parentaccountid_value
              write_field: parentaccountid@odata.bind
              transform: {kind: reference, bind: "/accounts({id})"}
    sync:
      objects:
        company: {delete: ignore, match: [domain]}
      external_id:
        salesforce: Concord_Id__c
        hubspot: concord_id
        dynamics: new_concordid
    """
}
