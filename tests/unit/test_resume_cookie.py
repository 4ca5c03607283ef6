"""The server hands a page's kernel the remembered resume code, and no other cookie."""

from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from mentorkit.jupyter import MENTOR_HEADER, RESUME_HEADER
from mentorkit.jupyter.server import hand_over_resume_code

CODE = "7KQM-2XPA-H9RD-4TZB"
OTHERS = "username-127-0-0-1-8866=2|1:0|secret-login; _xsrf=2|xsrf-secret"


def request(cookie: str | None, **headers: str) -> HTTPServerRequest:
    sent = HTTPHeaders({"Host": "127.0.0.1:8866", **headers})
    if cookie is not None:
        sent["Cookie"] = cookie
    line = RequestStartLine("GET", "/voila/render/index.ipynb", "HTTP/1.1")
    return HTTPServerRequest(start_line=line, headers=sent)


def test_only_the_resume_cookie_becomes_the_header_voila_hands_on():
    sent = request(f"{OTHERS}; mentorkit_resume={CODE}")
    hand_over_resume_code(sent)
    assert sent.headers[RESUME_HEADER] == CODE
    assert "secret" not in sent.headers[RESUME_HEADER]


def test_without_the_cookie_the_header_is_empty_so_the_kernel_knows_none_was_kept():
    for cookie in (None, OTHERS):
        sent = request(cookie)
        hand_over_resume_code(sent)
        assert sent.headers[RESUME_HEADER] == ""


def test_a_header_sent_by_the_browser_or_a_cookie_that_is_no_code_is_dropped():
    sent = request(OTHERS, **{RESUME_HEADER: "forged"})
    hand_over_resume_code(sent)
    assert sent.headers.get_list(RESUME_HEADER) == [""]
    odd = request('mentorkit_resume="a b;c"; _xsrf=x')
    hand_over_resume_code(odd)
    assert odd.headers[RESUME_HEADER] == ""


def test_a_mentors_kept_sign_in_goes_in_a_header_of_its_own():
    sent = request(f"{OTHERS}; mentorkit_mentor={CODE}")
    hand_over_resume_code(sent)
    assert sent.headers[MENTOR_HEADER] == CODE
    assert sent.headers[RESUME_HEADER] == ""
    forged = request(OTHERS, **{MENTOR_HEADER: "forged"})
    hand_over_resume_code(forged)
    assert forged.headers.get_list(MENTOR_HEADER) == [""]
