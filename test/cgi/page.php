#!/usr/bin/php-cgi
<?php
// page.php — a PHP page run by php-cgi through its #! line (it needs REDIRECT_STATUS).
header('X-Php: yes');
echo "php says ", htmlspecialchars($_GET['q'] ?? ''), " via ", $_SERVER['REQUEST_METHOD'], "\n";
