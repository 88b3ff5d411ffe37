"""The interface as teachers and managers meet it (issue 15): the queue's tabs, counts and
filter chips, the teacher's list and ticket page, the duplicate warning, plain German."""

import html
import re
from datetime import timedelta

from campus.extensions import db
from campus.models import Device, DeviceType, Ticket
from campus.tickets import services


def _tab_counts(page: str) -> dict[str, str]:
    """Each tab's label and the count on it."""
    found = re.findall(
        r'<a class="nav-link[^"]*"[^>]*\s+href="[^"]*">([^<]+?)\s*'
        r'<span class="badge[^"]*">([^<]+)</span>',
        page,
    )
    return {html.unescape(name.strip()): count for name, count in found}


def _rows(page: str) -> list[str]:
    return re.findall(r'<a href="/tickets/\d+">([^<]+)</a>', page)


def test_the_managers_tabs_count_their_tickets(world, as_user):
    world.ticket("new", title="Neu eins")
    world.ticket("new", title="Neu zwei")
    world.ticket("in_progress", title="Meins")  # claimed by world.manager
    world.ticket("escalated", title="Beim Systemhaus")
    world.ticket("resolved", title="Gelöst")
    world.ticket("closed", title="Zu")
    page = as_user(world.manager).get("/tickets/").text
    counts = _tab_counts(page)
    assert counts["Vor Ort"] == "3"
    assert counts["Meine"] == "1"
    assert counts["Systemhaus"] == "1"
    assert counts["Zur Bestätigung"] == "1"
    assert "aria-current=page" in page.split("Vor Ort")[0].rsplit("<li", 1)[1]


def test_the_system_house_has_its_own_mine_tab(world, as_user):
    taken = world.ticket("in_progress_l2", title="Bei mir")
    world.ticket("escalated", title="Noch frei")
    browser = as_user(world.system_house)
    page = browser.get("/tickets/").text
    counts = _tab_counts(page)
    assert counts == {
        "Offen": "2",
        "Meine": "1",
        "Heute fällig": counts["Heute fällig"],
        "Überfällig": counts["Überfällig"],
    }
    mine = re.search(r'href="([^"]+)">Meine', page).group(1)
    mine_page = browser.get(html.unescape(mine)).text
    assert _rows(mine_page) == [taken.title]
    assert "aria-current=page" in mine_page.split(">Meine")[0].rsplit("<li", 1)[1]


def test_filter_chips_each_remove_one_filter(world, as_user):
    world.ticket("new", title="Blockiert", impact="blocking")
    world.ticket("new", title="Nur lästig", impact="minor")
    browser = as_user(world.manager)
    page = browser.get("/tickets/?status=open&level=1&impact=blocking&q=Blo").text
    assert _rows(page) == ["Blockiert"]
    chips = dict(
        (html.unescape(text.strip()), html.unescape(href))
        for href, text in re.findall(
            r'<a class="badge rounded-pill[^"]*chip" href="([^"]+)"[^>]*><bdi>([^<]+)</bdi>', page
        )
    )
    # The "on site" tab says status and level; the chips say the rest.
    assert set(chips) == {"Unterricht nicht möglich", "„Blo“"}
    assert "Vor Ort" in page.split("aria-current=page")[1].split("</a>")[0]
    without_impact = browser.get(chips["Unterricht nicht möglich"]).text
    assert "impact=" not in chips["Unterricht nicht möglich"]
    assert _rows(without_impact) == ["Blockiert"]  # still searched for "Blo"
    assert "q=" not in chips["„Blo“"]
    assert _rows(browser.get(chips["„Blo“"]).text) == ["Blockiert"]  # only the blocking one
    # Without a tab, every filter is a chip; removing the last one shows everything.
    only = browser.get("/tickets/?impact=minor").text
    (href,) = re.findall(r'chip" href="([^"]+)"', only)
    everything = browser.get(html.unescape(href)).text
    assert sorted(_rows(everything)) == ["Blockiert", "Nur lästig"]


def test_the_teacher_sees_first_what_waits_for_her(world, as_user):
    world.ticket("new", title="Läuft")
    world.ticket("waiting", title="Frage an sie")
    world.ticket("resolved", title="Bitte bestätigen")
    world.ticket("closed", title="Erledigt")
    page = as_user(world.teacher).get("/tickets/mine").text
    needs, rest = page.split('id="my-tickets"')
    assert "Wartet auf Sie" in needs
    assert re.findall(r"#\d+ ([^<]+)</span>", needs) == ["Frage an sie", "Bitte bestätigen"]
    assert "Wartet auf Ihre Antwort" in needs and "Gelöst – bitte bestätigen" in needs
    assert sorted(re.findall(r"#\d+ ([^<]+)</span>", rest)) == ["Erledigt", "Läuft"]


def test_a_solved_ticket_shows_the_solution_next_to_the_answer_buttons(world, as_user):
    ticket = world.ticket("resolved")
    browser = as_user(world.teacher)
    page = browser.get(f"/tickets/{ticket.id}").text
    panel = page.split('id="confirm-solution"')[1].split("</section>")[0]
    assert "Kabel getauscht." in panel
    assert "Ja, gelöst" in panel and "Besteht weiter" in panel
    resolved = ticket.resolved_at
    closes = (resolved + timedelta(days=7)).astimezone().strftime("%d.%m.%Y")
    until = (resolved + timedelta(days=14)).astimezone().strftime("%d.%m.%Y")
    rule = re.search(r'id="close-rule">([^<]+)<', panel).group(1)
    assert closes in rule and until in rule and "7 Tage" in rule and "14 Tage" in rule
    # The panel comes before the description and the history; no second confirm button.
    assert page.index('id="confirm-solution"') < page.index('id="desc-h"')
    assert page.count(f'/tickets/{ticket.id}/confirm"') == 1
    # "Besteht weiter" reopens with her reason.
    response = browser.post(
        f"/tickets/{ticket.id}/reopen", data={"reopen-text": "Wieder kein Bild."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "in_progress"


def test_the_question_and_the_answer_box_sit_at_the_top(world, as_user):
    ticket = world.ticket("waiting")
    browser = as_user(world.teacher)
    page = browser.get(f"/tickets/{ticket.id}").text
    panel = page.split('id="your-answer"')[1].split("</section>")[0]
    assert "Seit wann?" in panel
    assert f'action="/tickets/{ticket.id}/reply"' in panel
    assert page.count(f'action="/tickets/{ticket.id}/reply"') == 1
    response = browser.post(f"/tickets/{ticket.id}/reply", data={"reply-text": "Seit Montag."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "in_progress"


def test_the_reply_box_stays_closed_until_wanted(world, as_user):
    ticket = world.ticket("in_progress")
    teacher = as_user(world.teacher)
    page = teacher.get(f"/tickets/{ticket.id}").text
    reply = re.search(r'<details class="card mb-2" id="act-reply"([^>]*)>', page).group(1)
    assert "open" not in reply
    assert "Ihre Nachricht geht an das Campusmanagement" in page
    assert "the teacher" not in page and "der Lehrkraft" not in page.split('id="act-reply"')[1]
    opened = teacher.get(f"/tickets/{ticket.id}?add=1").text
    assert "open" in re.search(r'id="act-reply"([^>]*)>', opened).group(1)
    # She is told who has it.
    assert f"{world.manager.display_name} (Campusmanagement) kümmert sich um Ihr Ticket" in page
    # The support side starts with the reply box open.
    support = as_user(world.manager).get(f"/tickets/{ticket.id}").text
    assert "open" in re.search(r'id="act-reply"([^>]*)>', support).group(1)


def test_without_a_visit_she_is_told_the_typical_first_response(world, as_user):
    for _ in range(10):
        done = world.ticket("new")
        services.reply(world.manager, done, "Komme gleich.")
    db.session.commit()
    ticket = world.ticket("new")
    page = as_user(world.teacher).get(f"/tickets/{ticket.id}").text
    typical = re.search(r'id="typical-response">([^<]+)<', page)
    assert (
        typical
        and "An Ihrem Campus kommt eine erste Antwort meist innerhalb von" in typical.group(1)
    )
    # Too few tickets to say anything: nothing is said.
    far = world.far_teacher
    from campus.tickets.filing import report_ticket

    lonely = report_ticket(
        far,
        title="Drucker",
        description="Stau",
        category="printer",
        impact="minor",
        room="",
        device_id=None,
    )
    db.session.commit()
    assert 'id="typical-response"' not in as_user(far).get(f"/tickets/{lonely.id}").text


def _device(school_id: int, number: str) -> Device:
    device = Device(school_id=school_id, type=DeviceType.DISPLAY_PROJECTOR, inventory_number=number)
    db.session.add(device)
    db.session.commit()
    return device


def test_reporting_a_device_with_an_open_ticket_warns_first(world, as_user):
    beamer = _device(world.teacher.school_id, "HHG-BEA-1")
    other = _device(world.teacher.school_id, "HHG-BEA-2")
    mine = world.ticket("new", device_id=beamer.id)
    browser = as_user(world.teacher)
    page = browser.get(f"/tickets/new?device={beamer.id}").text
    top = page.split("<fieldset")[0]
    assert f"Für dieses Gerät ist schon #{mine.number} offen – dort ergänzen?" in top
    link = re.search(rf'href="(/tickets/{mine.id}\?add=1#act-reply)"', top)
    assert link is not None
    assert 'id="act-reply" open' in browser.get(link.group(1)).text.replace(
        'id="act-reply"  open', 'id="act-reply" open'
    )
    # Another device: its warning waits hidden until that device is chosen.
    assert f'data-for-device="{other.id}"' not in page
    world.ticket("closed", device_id=other.id)
    assert f'data-for-device="{other.id}"' not in browser.get("/tickets/new").text


def test_a_colleagues_open_ticket_warns_without_her_words(world, as_user):
    from campus.tickets.filing import report_ticket

    beamer = _device(world.teacher.school_id, "HHG-BEA-3")
    theirs = report_ticket(
        world.other_teacher,
        title="Beamer flackert",
        description="Persönliche Notiz der Kollegin",
        category="projector_display",
        impact="impaired",
        room="B 2",
        device_id=beamer.id,
    )
    db.session.commit()
    page = as_user(world.teacher).get("/tickets/new").text
    box = page.split(f'data-for-device="{beamer.id}"')[1].split("</div>")[0]
    assert f"#{theirs.number} (Beamer / Display)" in box
    # Her title and text may name pupils: neither is in the page, nor her name.
    assert "Beamer flackert" not in page and "Persönliche Notiz" not in page
    assert world.other_teacher.display_name not in page
    assert "?add=1" not in box
    # A teacher at another school hears nothing of it.
    far = as_user(world.far_teacher).get("/tickets/new").text
    assert f'data-for-device="{beamer.id}"' not in far
    # Nor through a scanned label of that device.
    far = as_user(world.far_teacher).get(f"/tickets/new?device={beamer.id}").text
    assert f"#{theirs.number}" not in far


def test_levels_are_said_in_plain_german(world, as_user):
    ticket = world.ticket("escalated")
    page = as_user(world.manager).get(f"/tickets/{ticket.id}").text
    assert "2. Ebene (Systemhaus)" in page
    queue = as_user(world.system_house).get("/tickets/").text
    assert "Warteschlange 2. Ebene (Systemhaus)" in queue
    for text in (page, queue, as_user(world.manager).get("/reports/").text):
        assert not re.search(r"1st|2nd|Level \d", text)


def test_an_escalated_ticket_names_the_manager_who_stays_her_contact(world, as_user):
    ticket = world.ticket("in_progress_l2")  # escalated by the manager, taken by the house
    page = as_user(world.teacher).get(f"/tickets/{ticket.id}").text
    said = re.search(r'id="who-handles"[^>]*>(.*?)</section>', page, re.S).group(1)
    assert "Das Systemhaus arbeitet daran" in said
    assert world.system_house.display_name not in said


def test_values_the_queue_does_not_know_are_no_filter_and_no_chip(world, as_user):
    world.ticket("new", title="Eins")
    world.ticket("escalated", title="Zwei")
    browser = as_user(world.manager)
    page = browser.get(
        "/tickets/?due=xyz&level=3&assignee=abc&older=-1&status=kaputt&impact=x&category=y"
    ).text
    assert "filter-chips" not in page
    assert sorted(_rows(page)) == ["Eins", "Zwei"]


def test_percent_and_underscore_in_a_search_are_plain_characters(world, as_user):
    world.ticket("new", title="Drucker 100% kaputt")
    world.ticket("new", title="Beamer")
    browser = as_user(world.manager)
    assert _rows(browser.get("/tickets/?status=&q=%25").text) == ["Drucker 100% kaputt"]
    assert _rows(browser.get("/tickets/?status=&q=_").text) == []
