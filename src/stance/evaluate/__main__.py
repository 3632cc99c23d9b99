from stance.evaluate.run import main

main()
