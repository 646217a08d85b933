"""Role assignment from cue phrases and registry types."""

from __future__ import annotations

from indexer.analysis.roles import RoleAssignment, assign_role


def test_component_supplier_from_its_own_words():
    sentences = ["We supply fibre-coupled laser diode modules to OEM customers.", "Datasheets are online."]
    role = assign_role(sentences)
    assert isinstance(role, RoleAssignment)
    assert role.role == "component-supplier" and role.evidence == sentences[0] and 0 < role.confidence < 1


def test_clinic_and_cluster_pages():
    assert assign_role(["Our clinic treats skin cancer.", "Book an appointment with our specialists."]).role == "end-user"
    assert assign_role(["The cluster brings together 120 member companies."]).role == "intermediary"


def test_registry_type_settles_the_role_with_evidence():
    settled = assign_role(["Nothing about roles here."], organisation_type="hospital")
    assert settled.role == "end-user" and "hospital" in settled.evidence and settled.confidence == 0.9
    research = assign_role(["Our research group builds microscopes."], organisation_type="research-institute")
    assert research.role == "research" and research.evidence == "Our research group builds microscopes."
    assert assign_role(["Join our network of members."], organisation_type="chamber").role == "intermediary"


def test_company_type_narrows_to_suppliers():
    # "our clinic" would suggest an end-user, but a company is a component or system supplier.
    role = assign_role(["Our imaging system is FDA-cleared and used in our clinic."], organisation_type="company")
    assert role.role == "system-supplier"


def test_no_cue_no_role():
    assert assign_role(["The weather in Lyon was mild this week."]) is None
