import DejaCore
import Testing

@Suite struct LineFormatTests {
    @Test func fieldsAreLazyAndSpacesMatchAnyWhitespace() throws {
        let format = try LineFormat("<Date> <Time> <Level> \\[<Thread>\\] <Component>: <Content>")
        let fields = try #require(format.parse("2024-03-14  09:21:07,412\tERROR [http-nio-8080-exec-7] o.a.c.Servlet: failed: bad: input  "))
        #expect(fields["Date"] == "2024-03-14")
        #expect(fields["Level"] == "ERROR")
        #expect(fields["Thread"] == "http-nio-8080-exec-7")
        #expect(fields["Component"] == "o.a.c.Servlet")
        #expect(fields["Content"] == "failed: bad: input")
    }

    @Test func optionalPartsAndNonMatchingLines() throws {
        let format = try LineFormat("<Month> <Day> <Time> <Host> <Component>(\\[<PID>\\])?: <Content>")
        #expect(try #require(format.parse("Jun 14 15:16:01 combo sshd[19939]: session opened"))["PID"] == "19939")
        #expect(try #require(format.parse("Jun 14 15:16:01 combo kernel: Linux version 2.6"))["Content"] == "Linux version 2.6")
        #expect(format.parse("no layout here") == nil)
    }

    @Test func badTemplatesSayWhatIsWrong() {
        #expect(throws: LineFormat.Error.noFields("just text")) { try LineFormat("just text") }
        #expect(throws: LineFormat.Error.duplicateField("Time")) { try LineFormat("<Time> <Time>") }
        #expect(throws: LineFormat.Error.invalidFieldName("1st")) { try LineFormat("<1st> <Content>") }
        #expect(throws: LineFormat.Error.invalidExpression("[<Time> <Content>")) { try LineFormat("[<Time> <Content>") }
    }
}
