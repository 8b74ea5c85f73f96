#!/usr/bin/perl
# upload.pl — CGI.pm (Debian's libcgi-pm-perl): a form field and a multipart file upload.
use strict;
use warnings;
use CGI;
my $q = CGI->new;
print $q->header(-type => 'text/plain', -charset => 'utf-8');
my $name = $q->param('name') // '';
print "name=$name\n";
my $fh = $q->upload('file');
if ($fh) {
    local $/;
    my $data = <$fh>;
    printf "file=%s bytes=%d\n", scalar($q->param('file')), length($data);
}
printf "path_info=%s\n", $q->path_info();
