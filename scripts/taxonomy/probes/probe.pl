# Triggers each runtime fault in Perl and prints what `die` reports, one JSON object per line
# (the message without its ` at FILE line N.` suffix). Only core modules. A missing hash key is
# no error in Perl (the value is undef), and a failed open says what the program's `die` says.
use strict;
use warnings FATAL => 'all';
use IO::Socket::INET;
use JSON::PP;
use Time::Piece;

my $zqx_undef;
my $zqx_zero = scalar(@ARGV);
my %probes = (
    null_reference => sub { $zqx_undef->zqxmethod() },
    null_reference_deref => sub { my @zqx = @{$zqx_undef}; },
    division_by_zero => sub { my $zqx = 1 / $zqx_zero },
    number_parse => sub { my $zqx = "12,5zqx" + 1 },
    date_parse => sub { Time::Piece->strptime("31.06.2024", "%Y-%m-%d") },
    connection_refused => sub { IO::Socket::INET->new(PeerAddr => "127.0.0.1:1", Timeout => 2) or die "$@\n" },
    dns_failure => sub { IO::Socket::INET->new(PeerAddr => "zqx.invalid:80", Timeout => 2) or die "$@\n" },
    json_parse => sub { JSON::PP->new->decode("{zqxzqxzqx") },
    module_missing => sub { require zqx::module },
    # Writes on after the peer closed the connection (ZQX_CLOSED_PORT): a response written to a client that left.
    connection_closed_write => sub {
        local $SIG{PIPE} = 'IGNORE';
        my $zqx = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ENV{ZQX_CLOSED_PORT}") or die "$@\n";
        for (1 .. 50) { defined syswrite($zqx, "zqx\n") or die "$!\n"; select(undef, undef, undef, 0.05) }
    },
);
for my $fault (sort keys %probes) {
    eval { $probes{$fault}->(); 1 } and next;
    my $message = "$@";
    $message =~ s/ at \S+ line \d+\.?\n?\z//;
    $message =~ s/\n\z//;
    print JSON::PP->new->canonical->encode({fault => $fault, type => "die", message => $message}), "\n";
}
