@echo off
java -Dgrade.root="%~dp0." "%~dp0grader\src\main\java\multiplexing\grader\Grade.java" %*
