import Ingest
import Testing

@Suite("Company identity (§11.15 test_company_resolver)")
struct CompanyIdentityTests {
    @Test("normalizeName vectors", arguments: [
        ("Acme Inc.", "acme"), ("Acme Inc", "acme"),
        ("Beta Corp, LLC", "beta"), ("Beta LLC", "beta"),
        ("Foo Ltd", "foo"), ("Foo Ltd.", "foo"),
        ("Gamma Corp", "gamma"), ("Delta Co", "delta"),
        ("Foo Bar Company", "foo bar"), ("  Foo   Bar  ", "foo bar"),
        ("Acme, Inc.", "acme"), ("Beta-Corp", "beta"),
        ("", ""), ("   ", ""),
        ("Café Inc.", "café"),
    ])
    func normalizeNameVector(input: String, expected: String) {
        #expect(CompanyIdentity.normalizeName(input) == expected)
    }

    @Test("normalizeName keeps a lone suffix and strips only whole trailing words", arguments: [
        ("Co", "co"), ("Inc.", "inc"), ("Zinc", "zinc"), ("Acme Corporation Inc", "acme"),
        ("Company Co", "company"), ("Foo_Bar Inc", "foo_bar"), ("ÉCOLE Ltd", "école"),
        ("Acme\u{00A0}Inc", "acme"), ("Tab\tCo", "tab"), ("Ünïcode—Dash LLC", "ünïcode dash"),
        ("Acme Incorporated", "acme incorporated"),
    ])
    func normalizeNameEdges(input: String, expected: String) {
        #expect(CompanyIdentity.normalizeName(input) == expected)
    }

    @Test("extractDomain vectors", arguments: [
        ("https://www.foo.com/path", "foo.com"),
        ("https://foo.com", "foo.com"),
        ("http://www.bar.com/", "bar.com"),
        ("https://WWW.FOO.COM", "foo.com"),
        ("https://foo.com:443/path", "foo.com"),
    ])
    func extractDomainVector(input: String, expected: String) {
        #expect(CompanyIdentity.extractDomain(input) == expected)
    }

    @Test("extractDomain without a network location is nil", arguments: [
        "not-a-url", "", "foo.com/path", "https://", "https://www.", "mailto:someone@foo.com", "http://[::1",
        "https://www.:443", "http://:80/", "   ", "www.foo.com:8080",
    ])
    func extractDomainNone(input: String) {
        #expect(CompanyIdentity.extractDomain(input) == nil)
    }

    @Test("extractDomain ports, queries and scheme-relative URLs", arguments: [
        ("http://foo.com:80/x", "foo.com"), ("https://foo.com:8443/x", "foo.com:8443"),
        ("https://foo.com?q=1", "foo.com"), ("https://foo.com#top", "foo.com"),
        ("//www.foo.com/a", "foo.com"), ("HTTPS://Sub.Foo.COM", "sub.foo.com"),
        ("https://www.foo.com:443", "foo.com"),
        ("  https://Www.Foo.com\t/x", "foo.com"), ("https://fo\no.com", "foo.com"),
        ("https://user@foo.com", "user@foo.com"), ("https://WWW.CAFÉ.fr/menu", "café.fr"),
        ("https://www.bücher.de:443", "bücher.de"), ("ftp://files.foo.com:21/x", "files.foo.com:21"),
    ])
    func extractDomainForms(input: String, expected: String) {
        #expect(CompanyIdentity.extractDomain(input) == expected)
    }
}
